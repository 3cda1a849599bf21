"""The settings are one typed object: every key is a field of `AppSettings` with one entry in
`SETTINGS`, spelled in no other module; loading checks each stored value and leaves out
(and names) one that fails, and saving stores only what changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from msgspec.structs import replace

from vpkp_tutor.services import Services
from vpkp_tutor.services.settings import (
    DEFAULTS,
    SETTINGS,
    SHAPE_ONLY,
    AppSettings,
    load_settings,
)
from vpkp_tutor.tui.rules import TextualRules

PACKAGE = Path(__file__).resolve().parents[2] / "vpkp_tutor"


def test_every_field_has_one_entry() -> None:
    assert list(SETTINGS) == list(AppSettings.__struct_fields__)


def test_no_key_is_spelled_outside_the_settings_module() -> None:
    spelled: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for key in SETTINGS:
            if re.search(rf"""["']{key}["']""", text):
                spelled.setdefault(key, set()).add(path.relative_to(PACKAGE).as_posix())
    assert spelled == {key: {"services/settings.py"} for key in SETTINGS}


def test_a_stored_value_that_fails_its_check_is_left_out_and_named(
        services: Services) -> None:
    store = services.store
    store.set_setting("theme", "no-such-theme")
    store.set_setting("desired_retention", "0.8")
    store.set_setting("keymap", '{"no.such.binding": "f"}')
    store.set_setting("last_learner", "abc")
    shape, refused = load_settings(store)
    assert refused == {}  # the form is right
    assert shape == AppSettings(theme="no-such-theme", desired_retention=0.8,
                                keymap={"no.such.binding": "f"}, last_learner="abc")
    checked, refused = load_settings(store, TextualRules())
    assert checked == replace(DEFAULTS, desired_retention=0.8, last_learner="abc")
    assert set(refused) == {"theme", "keymap"}
    assert "no theme is called 'no-such-theme'" in refused["theme"]
    assert "no binding has the id 'no.such.binding'" in refused["keymap"]
    store.set_setting("keymap", "[1]")
    assert set(load_settings(store, SHAPE_ONLY)[1]) == {"keymap"}


def test_saving_stores_only_what_changed(services: Services) -> None:
    services.save_settings(replace(services.settings, last_learner="abc"))
    assert services.store.get_setting("last_learner") == "abc"
    assert [services.store.get_setting(k, "unset") for k in SETTINGS if k != "last_learner"
            ] == ["unset"] * (len(SETTINGS) - 1)
    services.save_settings(replace(services.settings, keymap={"quiz.flag": "f"}))
    assert services.store.get_setting("keymap") == '{"quiz.flag": "f"}'
    assert services.settings.keymap == {"quiz.flag": "f"}


def test_the_readme_names_every_setting_config_changes() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `vpkp-tutor config"))
    named = set(re.findall(r"`([a-z_]+)`", row))
    assert named == {key for key, s in SETTINGS.items() if s.in_config}


def test_a_setting_changed_through_one_part_is_seen_by_all(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The facade's parts share one settings object: deleting the last learner (the learners
    part) forgets `last_learner` for every reader, and a retention saved once applies."""
    from msgspec.structs import replace

    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store

    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        services = Services(load_content([]), store)
        ada = services.create_learner("Ada")
        services.save_settings(replace(services.settings, last_learner=ada.id,
                                       desired_retention=0.8))
        assert services.delete_learner(ada.id)
        assert services.settings.last_learner == ""
        assert services.settings.desired_retention == 0.8
        assert Services(load_content([]), store).settings.last_learner == ""  # stored too
    finally:
        store.close()


def test_deleting_a_learner_forgets_their_last_course_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each learner's last course (`last_courses`) loses the deleted learner's entry, in
    the settings every part reads and in the store; the others' entries stay; a value that
    is not a learner → course map is left for settings loading to report."""
    from msgspec.structs import replace

    from vpkp_tutor.content.loader import load_content
    from vpkp_tutor.services import Services
    from vpkp_tutor.storage import open_store

    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        services = Services(load_content([]), store)
        ada = services.create_learner("Ada")
        bea = services.create_learner("Bea")
        services.save_settings(replace(services.settings, last_courses={
            ada.id: "stats-more", bea.id: "stats-basics"}))
        assert services.delete_learner(ada.id)
        assert services.settings.last_courses == {bea.id: "stats-basics"}
        assert json.loads(store.get_setting("last_courses")) == {bea.id: "stats-basics"}
        assert Services(load_content([]), store).settings.last_courses == {
            bea.id: "stats-basics"}
        assert services.delete_learner(bea.id)
        assert services.settings.last_courses == {}
        assert json.loads(store.get_setting("last_courses")) == {}

        cid = services.create_learner("Cid")
        store.set_setting("last_courses", '{"not": 1')
        assert services.delete_learner(cid.id)
        assert store.get_setting("last_courses") == '{"not": 1'
    finally:
        store.close()
