"""One fixture per kind of content error: the exact message and position of each problem.

Each `tests/data/errors/<name>.yaml` (or folder) has a `<name>.expected` file listing the
problems the loader must report, one `path:line:col: severity: message` per line.
`_lesson_ok.yaml` is loaded beside single-file fixtures so their objectives resolve; its own
problems are not part of the expectation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vpkp_tutor.content.loader import load_content

DATA = Path("tests/data/errors")
TODAY = dt.date(2026, 11, 23)
FIXTURES = sorted(p.with_suffix("").name for p in DATA.glob("*.expected"))


def problems_for(name: str) -> list[str]:
    target = DATA / name
    if target.is_dir():
        bank = load_content([target], today=TODAY)
    else:
        bank = load_content([DATA / f"{name}.yaml", DATA / "_lesson_ok.yaml"], today=TODAY)
    return [str(p) for p in bank.problems if "_lesson_ok" not in p.path]


def test_every_fixture_has_an_expectation() -> None:
    names = {p.with_suffix("").name for p in DATA.glob("*.yaml")} | {
        p.name for p in DATA.iterdir() if p.is_dir()
    }
    assert names - {"_lesson_ok"} == set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_reports_exact_problems(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    expected = (DATA / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    assert problems_for(name) == expected
