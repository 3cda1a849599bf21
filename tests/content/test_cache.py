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


# -- a cache from a hostile or damaged data folder ---------------------------------------


class _Planted:
    """A pickle payload that, if ever unpickled, runs a shell command creating a marker."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def _planted_files(marker: Path, key: str) -> list[bytes]:
    """Ways to dress a pickle up as a cache file: bare, behind the old pickle cache's
    header, and behind this cache's magic line and correct key."""
    import pickle  # the test plants a pickle; the app never imports pickle
    import struct

    payload = pickle.dumps(_Planted(marker))
    n = struct.Struct("<Q").pack
    key_bytes = key.encode()
    return [
        payload,
        b"VPKP-CONTENT-CACHE 5\n" + n(len(payload)) + payload,
        cache_mod._MAGIC + n(len(key_bytes)) + key_bytes + n(len(payload)) + payload,
    ]


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_planted_pickle_in_the_cache_folder_never_runs(
    content: Path, tmp_path: Path, variant: int
) -> None:
    marker = tmp_path / "marker"
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    planted = _planted_files(marker, cache_mod.cache_key([content], TODAY))[variant]
    target = cache_path(cache_dir, [content])
    for path in {target, target.with_suffix(".pickle")}:  # this cache's name and the old one
        path.write_bytes(planted)
    bank = load_cached([content], cache_dir, today=TODAY)
    assert not marker.exists(), "a planted cache file ran code"
    assert [q.id for q in bank.questions] == ["good-q001"]
    assert target.read_bytes().startswith(cache_mod._MAGIC)  # rebuilt over the planted file
    assert not list(cache_dir.glob("*.pickle"))  # the former format's files are removed
    assert load_cached([content], cache_dir, today=TODAY) == bank


def test_no_module_unpickles_or_unmarshals() -> None:
    """No code under vpkp_tutor imports a module that turns bytes into running code."""
    import ast

    package = Path(__file__).resolve().parents[2] / "vpkp_tutor"
    banned = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle",
              "joblib"}
    found = []
    for source in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{source.name}: {n}" for n in names if n.split(".")[0] in banned]
    assert found == []


def _cache_bytes(content: Path, tmp_path: Path) -> tuple[Path, bytes]:
    load_cached([content], tmp_path / "cache", today=TODAY)
    target = cache_path(tmp_path / "cache", [content])
    return target, target.read_bytes()


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_truncated_cache_is_rebuilt(content: Path, tmp_path: Path, cut: float) -> None:
    target, data = _cache_bytes(content, tmp_path)
    target.write_bytes(data[: int(len(data) * cut)])
    bank = load_cached([content], tmp_path / "cache", today=TODAY)
    assert [q.id for q in bank.questions] == ["good-q001"]
    assert bank.questions[0].stem
    assert target.read_bytes() == data


def test_cache_with_the_right_key_but_a_foreign_header_is_rebuilt(
    content: Path, tmp_path: Path
) -> None:
    import msgspec

    target, data = _cache_bytes(content, tmp_path)
    key = cache_mod.cache_key([content], TODAY).encode()
    n = cache_mod._LEN.pack
    for header in (msgspec.msgpack.encode({"lessons": "rm -rf /"}), b"\xc1\xc1\xc1",
                   msgspec.msgpack.encode([[], [], [], "x", 1, ["a"], [], [], [], [],
                                           b"", b""])):
        target.write_bytes(cache_mod._MAGIC + n(len(key)) + key + n(len(header)) + header)
        bank = load_cached([content], tmp_path / "cache", today=TODAY)
        assert [q.id for q in bank.questions] == ["good-q001"]
        assert target.read_bytes() == data


def test_cache_whose_offsets_disagree_with_the_file_is_rebuilt(
    content: Path, tmp_path: Path
) -> None:
    target, data = _cache_bytes(content, tmp_path)
    target.write_bytes(data + b"\x00" * 64)  # items would be read from the wrong places
    bank = load_cached([content], tmp_path / "cache", today=TODAY)
    assert bank.questions[0].id == "good-q001"
    assert target.read_bytes() == data


def test_items_damaged_after_opening_are_read_from_the_files(
    content: Path, tmp_path: Path
) -> None:
    target, data = _cache_bytes(content, tmp_path)
    bank = load_cached([content], tmp_path / "cache", today=TODAY)  # a cache hit: lazy items
    size = len(data)
    with target.open("r+b") as fh:  # the mapped items are overwritten in place
        fh.seek(size - 200)
        fh.write(b"\xc1" * 200)
    assert bank.questions[0].id == "good-q001"
    assert bank.questions[0].stem.strip()


def test_cache_from_a_different_record_shape_is_not_used(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_cached([content], tmp_path / "cache", today=TODAY)
    monkeypatch.setattr(cache_mod, "RECORDS_SIGNATURE", "another-shape")
    calls: list[int] = []
    real = cache_mod._load
    monkeypatch.setattr(cache_mod, "_load", lambda *a, **k: calls.append(1) or real(*a, **k))
    load_cached([content], tmp_path / "cache", today=TODAY)
    assert calls == [1]


def test_export_keeps_its_content_cache_in_the_data_folder_it_uses(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vpkp_tutor.cli import main
    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store

    default = tmp_path / "default-data"
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(default))
    data = tmp_path / "data"
    store = open_store(data)
    Services(load_content([content]), store).create_learner("Ada", "Metro", "PGY-3")
    store.close()
    out = tmp_path / "ada.json"
    code = main(["--data-dir", str(data), "--content", str(content),
                 "export", "--learner", "Ada", "--format", "json", "-o", str(out)])
    assert code == 0 and out.exists()
    assert cache_path(data / "cache", [content]).exists()
    assert not (default / "cache").exists()
