"""The wheel carries the bundled content: build it, install it into a fresh virtual
environment outside the checkout, and validate the bundled content there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.soak  # building and installing a wheel takes ~25 s: make soak
def test_wheel_installs_and_validates_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("vpkp_tutor-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(bin_dir / "python"), "-c",
         "import vpkp_tutor.content as c; print(c.__file__); print(*c.bundled_paths());"
         " print(c.bundled_manifest().is_file())"],
        cwd=outside, capture_output=True, text=True, env=env,
    )
    assert str(env_dir) in where.stdout.splitlines()[0]
    assert "_bundled" in where.stdout
    assert where.stdout.splitlines()[-1] == "True"  # the bundled course's manifest

    done = subprocess.run(
        [str(bin_dir / "vpkp-tutor"), "validate", "--no-lint"], cwd=outside,
        capture_output=True, text=True, env=env,
    )  # the lint's warnings (VP5xx) are the bundled course's own; see test_bank_quality
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.splitlines()[-1]
    assert "0 errors, 0 warnings" in summary
    assert " 0 lessons" not in summary and " 0 questions" not in summary
