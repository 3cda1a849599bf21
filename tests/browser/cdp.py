"""A headless Chromium driven over the DevTools protocol (one browser per test module).

The system's Chromium (Debian: `apt-get install -y chromium`, which `make unit` runs when it
is missing) is started with a fresh profile and no background networking; a page records
its console messages, uncaught exceptions and every network request it makes.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = os.environ.get("VPKP_CHROMIUM", "/usr/bin/chromium")
INSTALL = "apt-get install -y chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--remote-debugging-port=0", "--window-size=1280,900", "--hide-scrollbars")


def chromium_path() -> str:
    """The Chromium executable; fails (never skips) with the command that installs it."""
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not found:
        raise RuntimeError(f"the browser tests need Chromium at {CHROMIUM}; install it with "
                           f"`{INSTALL}` (make unit does this when it is missing)")
    return found


@dataclass
class Page:
    """One tab: what it logged and requested since it opened."""

    ws: ClientConnection
    session: str
    ids: Iterator[int]
    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def send(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        """Send a command to the page and wait for its result (recording events)."""
        mid = next(self.ids)
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params,
                                 "sessionId": self.session}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result
            self._event(msg)

    def _event(self, msg: dict[str, Any]) -> None:
        method = msg.get("method", "")
        params = msg.get("params", {})
        self.events.append(method)
        if method == "Runtime.consoleAPICalled":
            self.console.append(params)
        elif method == "Log.entryAdded":
            self.console.append(params.get("entry", {}))
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(params)
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))

    def wait_for(self, event: str, timeout: float = 30.0) -> None:
        """Read events until `event` arrives."""
        deadline = time.monotonic() + timeout
        while event not in self.events:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self._event(msg)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """A PNG of the page (the whole page by default)."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", **params)["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        """Print to PDF with the page's print CSS (A4)."""
        data = self.send("Page.printToPDF", timeout=60, paperWidth=8.27, paperHeight=11.69,
                         printBackground=True, preferCSSPageSize=False)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def set_viewport(self, width: int, height: int, mobile: bool = False) -> None:
        """Emulate a screen size (a phone with `mobile`)."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)


class Browser:
    """A running headless Chromium."""

    def __init__(self, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [chromium_path(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        url = None
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"DevTools listening on (ws://\S+)", line):
                url = m.group(1)
                break
        if url is None:
            self.proc.kill()
            raise RuntimeError("Chromium did not start: " + "".join(lines[-10:]))
        self._stack = ExitStack()
        self.ws = self._stack.enter_context(connect(url, max_size=None, open_timeout=30))
        self.ids = itertools.count(1)

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        mid = next(self.ids)
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result

    @contextmanager
    def page(self) -> Iterator[Page]:
        """A fresh tab that records console messages, exceptions and requests."""
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        session = self._call("Target.attachToTarget", targetId=target,
                             flatten=True)["sessionId"]
        page = Page(self.ws, session, self.ids)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        try:
            yield page
        finally:
            self._call("Target.closeTarget", targetId=target)

    def close(self) -> None:
        """Close the browser."""
        try:
            self._stack.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
