"""Fixtures shared with the services tests (a tmp_path store, a frozen clock)."""

from tests.services.conftest import clock, services

__all__ = ["clock", "services"]
