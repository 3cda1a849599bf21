"""Property-based tests: no input, however mangled, makes the loader raise."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpkp_tutor.content.loader import load_content

SEED = (Path(__file__).resolve().parents[1] / "data" / "bad" / "_good" / "good.yaml").read_text()

yaml_ish = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}#&*!|>'\"%@`\t\n ,?0123456789.\x00\x1b\u202e")),
    max_size=300,
)


def _load(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.yaml"
        path.write_bytes(data)
        bank = load_content([path])
        for problem in bank.problems:
            assert problem.line >= 1 and problem.column >= 1
            assert problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_ish)
def test_random_yaml_like_text_never_raises(text: str) -> None:
    _load(text.encode("utf-8"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    _load(data)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED) - 1), yaml_ish)
def test_mutated_valid_lesson_never_raises(at: int, insert: str) -> None:
    _load((SEED[:at] + insert + SEED[at:]).encode("utf-8"))
