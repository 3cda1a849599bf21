"""Running a command in a pseudo-terminal (so it sees a TTY), and without root's power to
ignore file permissions (so a read-only folder is read-only even in a root container)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def unprivileged(argv: list[str]) -> list[str]:
    """`argv`, run so that file permissions apply (root gives up CAP_DAC_OVERRIDE)."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *argv]


def run_cli(args: list[str], *, as_user: bool = False,
            preamble: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m vpkp_tutor ARGS` with stdin from /dev/null; `preamble` runs first."""
    code = f"{preamble}\nimport sys\nfrom vpkp_tutor.cli import main\nsys.exit(main({args!r}))"
    argv = [sys.executable, "-c", code]
    return subprocess.run(unprivileged(argv) if as_user else argv, cwd=ROOT, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=20)


class Pty:
    """A child process on a pseudo-terminal, 100×30."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.output = b""

    def read_until(self, marker: bytes, timeout: float = 20.0) -> bytes:
        """Read until `marker` has been written (fail at the deadline)."""
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {marker!r}; got {self.output[-2000:]!r}")
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"exited before {marker!r}: {self.output[-2000:]!r}")
                self.output += chunk
        return self.output

    def send(self, data: bytes) -> None:
        """Type into the terminal."""
        os.write(self.fd, data)

    def wait(self, timeout: float = 20.0) -> int:
        """Drain the output until the child exits; return its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    self.output += os.read(self.fd, 65536)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError(f"did not exit; last output {self.output[-2000:]!r}")
