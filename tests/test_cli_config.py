"""`vpkp-tutor config` and `vpkp-tutor bindings`: settings are checked before they are
stored, every refusal is one clear line with exit 2, and --unset restores the default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.services.tinybank import tiny_bank
from vpkp_tutor.cli import main
from vpkp_tutor.services import Services
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
    assert re.search(r"^theme +\(default: textual-dark\)$", out, re.M)
    assert re.search(r"^desired_retention +\(default: 0\.9\)$", out, re.M)
    assert re.search(r"^keymap +\(default\)$", out, re.M)
    assert not (tmp_path / "progress.sqlite3").exists()  # reading creates nothing
    assert run(tmp_path, "config", "desired_retention") == 0
    assert capsys.readouterr().out == "0.9\n"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("desired_retention", "0.85", "0.85"),
        ("desired_retention", "0.7", "0.7"),
        ("theme", "nord", "nord"),
        ("keymap", '{"quiz.flag": " x , ctrl+x "}', '{"quiz.flag": "x,ctrl+x"}'),
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
        ("keymap", '["f"]', 'keymap: a keymap is a JSON object such as {"quiz.flag": "x"}'),
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
        services = Services(tiny_bank(), store)
        assert store.scheduler.desired_retention == pytest.approx(0.8)
        assert services.settings.desired_retention == pytest.approx(0.8)
    finally:
        store.close()


def test_bindings_lists_ids_keys_and_owners(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bindings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "keys", "does", "where"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["quiz.flag"][1] == "m" and rows["home.lessons"][1] == "l"
    assert rows["home.lessons"][-1] == "HomeScreen"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"quiz.flag": "florb"}', "'florb' is not a key"),
        ('{"quiz.flag": "ctrl+"}', "'ctrl+' names no key after the '+'"),
        ('{"quiz.flag": "\\u0001"}', "is not a key"),
        ('{"quiz.flag": "cmd+f"}', "'cmd' is not a modifier"),
        ('{"screen.back": "x", "app.quit": "x"}', "is already"),
        ('{"quiz.flag": "ctrl+q"}', "quiz.flag: ctrl+q is already “Quit” (app.quit)"),
        ('{"home.quiz": "l"}', "home.quiz: l is already “Lessons” (home.lessons)"),
        ('{"app.quit": "x"}', "the quit key must not be one typed as text"),
        ('{"quiz.flag": "F2"}', "'F2' is not a key; key names are lower case: 'f2'"),
        ('{"app.quit": "Ctrl+F10"}', "key names are lower case: 'ctrl+f10'"),
    ],
)
def test_a_keymap_the_settings_screen_would_refuse_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    assert run(tmp_path, "config", "keymap", value) == 2
    err = capsys.readouterr().err
    assert err.startswith("vpkp-tutor: error: keymap: ") and message in err, err
    assert err.count("\n") == 1 and "\x01" not in err
    assert stored(tmp_path, "keymap") == "<unset>"


@pytest.mark.parametrize(
    "value",
    ['{"app.quit": "ctrl+x"}', '{"app.quit": "f10,x"}', '{"quiz.flag": "/"}',
     '{"quiz.flag": "full_stop"}', '{"home.lessons": "shift+f5"}',
     '{"quiz.flag": "l"}'],  # l is Lessons on Home only, not in the quiz
)
def test_a_keymap_with_real_keys_and_no_clash_is_stored(tmp_path: Path, value: str) -> None:
    assert run(tmp_path, "config", "keymap", value) == 0
    assert json.loads(stored(tmp_path, "keymap")) == json.loads(value)


def test_a_stored_keymap_that_is_not_allowed_is_shown_as_not_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A keymap written by hand (or an older version) with a clash: `config` says it is not
    used, and the app leaves it out (parse_keymap refuses it, which the app reports)."""
    clash = '{"screen.back": "x", "app.quit": "x"}'
    store = open_store(tmp_path, daily_backups=False)
    store.set_setting("keymap", clash)
    store.close()
    assert run(tmp_path, "config") == 0
    out, err = capsys.readouterr()
    assert re.search(rf"^keymap +{re.escape(clash)}  \(not used: the default applies\)$",
                     out, re.M)
    assert err.startswith("vpkp-tutor: warning: the stored keymap is not used (")
    assert run(tmp_path, "config", "keymap") == 0
    assert capsys.readouterr().out == "\n"  # the default: no keys moved
    with pytest.raises(ValueError, match="is already"):
        parse_keymap(clash)


def test_parse_keymap_checks_shape_ids_keys_and_clashes() -> None:
    assert parse_keymap("{}") == {}
    assert parse_keymap('{"quiz.flag": " x , ctrl+x "}') == {"quiz.flag": "x,ctrl+x"}
    with pytest.raises(ValueError, match="JSON object"):
        parse_keymap(json.dumps("f"))
    with pytest.raises(ValueError, match=r"no binding has the id 'anything\.at_all'"):
        parse_keymap('{"anything.at_all": "x"}')


def test_a_key_of_an_answer_shown_on_the_screen_clashes_with_the_screens() -> None:
    """A drill is shown on a quiz: its f (final position) and a quiz key moved to f would
    both apply, and the drill's would hide the flag; the same for an answer's Enter."""
    with pytest.raises(ValueError, match=r"f is already “Final” \(drill\.final\)"):
        parse_keymap('{"quiz.flag": "f"}')
    with pytest.raises(ValueError, match="enter is already"):
        parse_keymap('{"lesson.next": "enter"}')
    with pytest.raises(ValueError, match="n is already “Next”"):
        parse_keymap('{"drill.final": "n"}')
    assert parse_keymap('{"drill.final": "l"}') == {"drill.final": "l"}  # Home's l only


def test_a_key_taken_as_a_character_clashes_with_its_name() -> None:
    with pytest.raises(ValueError, match="question_mark is already “Help”"):
        parse_keymap('{"quiz.flag": "?"}')


async def test_the_app_leaves_out_a_stored_keymap_with_a_clash(tmp_path: Path) -> None:
    """Written by hand: Back and Quit both on x. The app warns and keeps ctrl+q as Quit."""
    from tests.tui.bank import make_bank
    from vpkp_tutor.bootstrap import LaunchOptions, make_app

    store = open_store(tmp_path, daily_backups=False)
    store.set_setting("keymap", '{"screen.back": "x", "app.quit": "x"}')
    try:
        app = make_app(LaunchOptions(learner="Dr Test"), make_bank(), store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            notes = [str(n.message) for n in app._notifications]
            assert any(m.startswith("The keymap setting was left out: screen.back: x is "
                                    "already “Quit” (app.quit)") for m in notes), notes
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert app.return_code == 0 and not app.is_running
    finally:
        store.close()
