"""`python -m vpkp_tutor` runs the command-line entry point."""

from __future__ import annotations

from vpkp_tutor.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
