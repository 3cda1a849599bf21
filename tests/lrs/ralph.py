"""A real Ralph LRS (ralph-malph, file backend) started on 127.0.0.1 on a free port, with
basic-auth credentials of its own auth file, for the tests and the benchmark.

Ralph 5.1's file backend writes each POST with the data backend's default operation,
`index`, which refuses to write to an existing file: only the first write of a server's
life succeeds (later ones answer 500 "Statements bulk indexation failed"). `Ralph(...,
appending=True)` runs the same server with that one class attribute set to `append` (the
file backend's own mode for adding to its file), so one server can take many batches;
`appending=False` runs Ralph exactly as installed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

KEY = "vpkp-sync"
SECRET = "s3cret-for-tests-only"
LAUNCH = """
import sys
if sys.argv[1] == "append":
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_auth_file(path: Path) -> None:
    import bcrypt

    hashed = bcrypt.hashpw(SECRET.encode(), bcrypt.gensalt(rounds=4)).decode()
    path.write_text(json.dumps([{
        "username": KEY, "hash": hashed, "scopes": ["all"],
        "agent": {"mbox": "mailto:sync@program.example.org"},
    }]), encoding="utf-8")


class Ralph:
    """One Ralph server process; `start()` waits until it answers, `stop()` kills it."""

    def __init__(self, folder: Path, *, appending: bool = True, port: int | None = None):
        self.folder = folder
        self.appending = appending
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.auth = folder / "auth.json"
        if not self.auth.exists():
            write_auth_file(self.auth)
        self.data = folder / "statements"
        self.log = folder / "ralph.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "RALPH_APP_DIR": str(self.folder),
                "RALPH_AUTH_FILE": str(self.auth), "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
                "RALPH_HISTORY_FILE": str(self.folder / "history.json")}

    def start(self, timeout: float = 60.0) -> Ralph:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, "append" if self.appending else "index",
                 str(self.port)], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Ralph exited: {self.log.read_text()[-2000:]}")
            try:
                r = httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                if r.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("Ralph did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds (following `more`)."""
        out: list[dict[str, Any]] = []
        url: str | None = f"http://127.0.0.1:{self.port}/xAPI/statements"
        query: dict[str, str] | None = {"limit": "100", **params}
        while url:
            r = httpx.get(url, params=query, auth=(KEY, SECRET), timeout=30,
                          headers={"X-Experience-API-Version": "1.0.3"})
            r.raise_for_status()
            page = r.json()
            out.extend(page["statements"])
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
            query = None
        return out

    def stored_lines(self) -> int:
        """Statements written to the backend's file."""
        path = self.data / "fs_lrs.jsonl"
        return len(path.read_bytes().splitlines()) if path.exists() else 0
