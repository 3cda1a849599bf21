"""The content cache: reused while files are unchanged, rebuilt when they change or when the
cache itself is damaged, and never a reason to fail."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from vpkp_tutor.content import cache as cache_mod
from vpkp_tutor.content.cache import cache_path, load_cached

GOOD = Path(__file__).resolve().parents[1] / "data" / "bad" / "_good"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    for f in GOOD.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def test_second_load_comes_from_the_cache(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_cached([content], tmp_path / "cache", today=TODAY)
    assert cache_path(tmp_path / "cache", [content]).exists()

    def fail(*_a: object, **_k: object) -> None:
        raise AssertionError("content was parsed again")

    monkeypatch.setattr(cache_mod, "_load", fail)
    second = load_cached([content], tmp_path / "cache", today=TODAY)
    assert second == first
    assert second.has_question("good-q001")


def test_changed_file_invalidates_the_cache(content: Path, tmp_path: Path) -> None:
    load_cached([content], tmp_path / "cache", today=TODAY)
    lesson = content / "good.yaml"
    lesson.write_text(lesson.read_text().replace("The good lesson", "Renamed lesson"))
    st = lesson.stat()
    os.utime(lesson, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    bank = load_cached([content], tmp_path / "cache", today=TODAY)
    assert bank.lessons[0].title == "Renamed lesson"


def test_each_content_set_keeps_its_own_cache(content: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "good.yaml").write_bytes((content / "good.yaml").read_bytes())
    assert cache_path(tmp_path / "cache", [content]) != cache_path(tmp_path / "cache", [other])
    load_cached([content], tmp_path / "cache", today=TODAY)
    load_cached([other], tmp_path / "cache", today=TODAY)
    assert cache_path(tmp_path / "cache", [content]).exists()
    assert cache_path(tmp_path / "cache", [other]).exists()


def test_new_day_rebuilds(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_cached([content], tmp_path / "cache", today=TODAY)
    calls: list[int] = []
    real = cache_mod._load

    def counting(*a: object, **k: object) -> object:
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_mod, "_load", counting)
    load_cached([content], tmp_path / "cache", today=TODAY + dt.timedelta(days=1))
    assert calls == [1]


def test_corrupt_cache_is_rebuilt(content: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    cache_path(tmp_path / "cache", [content]).write_bytes(b"\x80\x05garbage")
    bank = load_cached([content], tmp_path / "cache", today=TODAY)
    assert [lesson.id for lesson in bank.lessons] == ["good-lesson"]


def test_cache_hit_imports_neither_yaml_nor_the_schema(content: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    load_cached([content], tmp_path / "cache", today=dt.date.today())
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from vpkp_tutor.content.cache import load_cached\n"
        f"bank = load_cached([Path({str(content)!r})], Path({str(tmp_path / 'cache')!r}))\n"
        "assert bank.lessons, 'empty bank'\n"
        "heavy = [m for m in ('yaml', 'pydantic', 'vpkp_tutor.content.schema') if m in sys.modules]\n"
        "print(heavy)\nsys.exit(1 if heavy else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_unwritable_cache_folder_still_loads(content: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    bank = load_cached([content], blocked / "cache", today=TODAY)
    assert [q.id for q in bank.questions] == ["good-q001"]
