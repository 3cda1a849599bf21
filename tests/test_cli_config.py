"""`vpkp-tutor config` and `vpkp-tutor bindings`: settings are checked before they are
stored, every refusal is one clear line with exit 2, and --unset restores the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpkp_tutor.cli import main
from vpkp_tutor.storage import open_store
from vpkp_tutor.tui.keymap import parse_keymap


def run(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def stored(data: Path, key: str) -> str:
    store = open_store(data, daily_backups=False)
    try:
        return store.get_setting(key, "<unset>")
    finally:
        store.close()


def test_listing_shows_each_setting_with_its_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "config") == 0
    out = capsys.readouterr().out
    assert "theme              (default: textual-dark)" in out
    assert "desired_retention  (default: 0.9)" in out
    assert "keymap             (default)" in out
    assert not (tmp_path / "progress.sqlite3").exists()  # reading creates nothing
    assert run(tmp_path, "config", "desired_retention") == 0
    assert capsys.readouterr().out == "0.9\n"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("desired_retention", "0.85", "0.85"),
        ("desired_retention", "0.7", "0.7"),
        ("theme", "nord", "nord"),
        ("keymap", '{"quiz.flag": " f , ctrl+f "}', '{"quiz.flag": "f,ctrl+f"}'),
    ],
)
def test_a_good_value_is_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                key: str, value: str, expected: str) -> None:
    assert run(tmp_path, "config", key, value) == 0
    assert capsys.readouterr().out == f"{key} = {expected}\n"
    assert stored(tmp_path, key) == expected
    assert run(tmp_path, "config", key) == 0
    assert capsys.readouterr().out == f"{expected}\n"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("desired_retention", "1.2", "desired_retention: desired retention must be between "
                                     "0.7 and 0.97, got 1.2"),
        ("desired_retention", "nan", "desired retention must be between"),
        ("desired_retention", "often", "desired retention must be a number, got 'often'"),
        ("theme", "nrod", "theme: no theme is called 'nrod'; did you mean 'nord'?"),
        ("keymap", '{"quiz.flg": "f"}', "keymap: no binding has the id 'quiz.flg'; did you "
                                         "mean 'quiz.flag'?"),
        ("keymap", '["f"]', 'keymap: a keymap is a JSON object such as {"quiz.flag": "f"}'),
        ("keymap", "{quiz.flag: f}", "this is not JSON"),
        ("keymap", '{"quiz.flag": 3}', "the keys for 'quiz.flag' must be text"),
        ("keymap", '{"quiz.flag": "f,,g"}', "the keys for 'quiz.flag' must be text"),
        ("keymap", '{"quiz.flag": "ctrl f"}', "the keys for 'quiz.flag' must be text"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str, message: str
) -> None:
    assert run(tmp_path, "config", key, value) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("vpkp-tutor: error: ") and message in captured.err
    assert captured.err.count("\n") == 1
    assert stored(tmp_path, key) == "<unset>"


def test_unset_restores_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "config", "theme", "dracula") == 0
    assert run(tmp_path, "config", "theme", "--unset") == 0
    assert run(tmp_path, "config", "theme", "--unset") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["theme: back to the default", "theme: already the default"]
    assert stored(tmp_path, "theme") == "<unset>"
    assert run(tmp_path, "config", "theme") == 0
    assert capsys.readouterr().out == "textual-dark\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("colour", "x"), "no setting is called 'colour'"),
        (("them",), "did you mean 'theme'?"),
        (("--unset",), "--unset takes a setting name and no value"),
        (("theme", "nord", "--unset"), "--unset takes a setting name and no value"),
    ],
)
def test_misuse_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  args: tuple[str, ...], message: str) -> None:
    assert run(tmp_path, "config", *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_retention_set_here_is_the_one_the_scheduler_uses(tmp_path: Path) -> None:
    assert run(tmp_path, "config", "desired_retention", "0.8") == 0
    store = open_store(tmp_path, daily_backups=False)
    try:
        assert store.scheduler.desired_retention == pytest.approx(0.8)
    finally:
        store.close()


def test_bindings_lists_ids_keys_and_owners(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bindings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "keys", "does", "where"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["quiz.flag"][1] == "m" and rows["home.lessons"][1] == "l"
    assert rows["home.lessons"][-1] == "HomeScreen"


def test_parse_keymap_without_known_ids_checks_only_the_shape() -> None:
    assert parse_keymap('{"anything.at_all": "x"}') == {"anything.at_all": "x"}
    with pytest.raises(ValueError, match="JSON object"):
        parse_keymap(json.dumps("f"))
