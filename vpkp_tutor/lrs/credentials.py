"""The LRS key and secret: from the environment (`VPKP_TUTOR_LRS_KEY`,
`VPKP_TUTOR_LRS_SECRET`) or else from a file only its owner can read (mode 0600) holding
`key:secret` on one line (or the key and the secret on two lines). They are read when a sync
or a report needs them and are never stored in the database, an export or a message."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

KEY_ENV = "VPKP_TUTOR_LRS_KEY"
SECRET_ENV = "VPKP_TUTOR_LRS_SECRET"
MAX_BYTES = 4096


class CredentialsError(ValueError):
    """No usable key and secret; the message says what to do (and never holds a secret)."""


class Credentials(NamedTuple):
    key: str
    secret: str

    def __repr__(self) -> str:  # never shown, even by a debugger or a traceback
        return f"Credentials(key={self.key!r}, secret=***)"


def load_credentials(file: str = "", environ: dict[str, str] | None = None) -> Credentials:
    """The key and secret, from the environment first, else from `file`."""
    env = os.environ if environ is None else environ
    key, secret = env.get(KEY_ENV, ""), env.get(SECRET_ENV, "")
    if key or secret:
        if not (key and secret):
            missing = SECRET_ENV if key else KEY_ENV
            raise CredentialsError(f"{KEY_ENV} and {SECRET_ENV} go together; {missing} is "
                                   "not set")
        return Credentials(key, secret)
    if not file:
        raise CredentialsError(
            f"no LRS credentials: set {KEY_ENV} and {SECRET_ENV}, or put `key:secret` in a "
            "file readable only by you (chmod 600) and run `vpkp-tutor config "
            "lrs_credentials_file PATH`")
    return _from_file(Path(file).expanduser())


def _from_file(path: Path) -> Credentials:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read the LRS credentials: "
                               f"{exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CredentialsError(f"{path}: the LRS credentials file is not a regular file")
        if st.st_mode & 0o077:
            raise CredentialsError(
                f"{path}: others may read this credentials file (mode "
                f"{stat.S_IMODE(st.st_mode):04o}); make it yours alone: chmod 600 {path}")
        data = os.read(fd, MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise CredentialsError(f"{path}: too large for a credentials file")
    try:
        lines = [x.strip() for x in data.decode("utf-8").splitlines() if x.strip()]
    except UnicodeDecodeError:
        raise CredentialsError(f"{path}: the credentials file is not UTF-8 text") from None
    if len(lines) == 1 and ":" in lines[0]:
        key, _, secret = lines[0].partition(":")
    elif len(lines) == 2:
        key, secret = lines
    else:
        raise CredentialsError(f"{path}: write the key and secret as key:secret on one line")
    if not key or not secret:
        raise CredentialsError(f"{path}: the key or the secret is empty")
    return Credentials(key, secret)
