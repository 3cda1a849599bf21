"""Settings screen: desired retention is checked before it is saved; a binding is moved by
pressing its new key (refused when the key is taken where the binding applies), put back by
Delete, and the keymap is saved and applied at once."""

from __future__ import annotations

import json

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.tui.conftest import MakeApp
from tests.tui.helpers import settle
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.key_capture import KeyCaptureDialog
from vpkp_tutor.tui.screens.settings import SettingsScreen, place


async def open_settings(app: VpkpApp, pilot: Pilot[None]) -> SettingsScreen:
    await settle(pilot)
    app.action_open("settings")
    await settle(pilot)
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


def text(screen: SettingsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def highlight(pilot: Pilot[None], screen: SettingsScreen, binding_id: str) -> None:
    keys = screen.query_one("#keys", OptionList)
    keys.focus()
    keys.highlighted = keys.get_option_index(binding_id)
    await settle(pilot)


async def press_new_key(pilot: Pilot[None], screen: SettingsScreen, binding_id: str, key: str) -> None:
    """Choose the binding, press Enter, then the new key (or escape)."""
    await highlight(pilot, screen, binding_id)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(screen.app.screen, KeyCaptureDialog)
    await pilot.press(key)
    await settle(pilot)


async def test_desired_retention_is_checked_then_saved(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        field = screen.query_one("#retention", Input)
        assert field.value == "0.9"
        field.focus()
        field.value = "0.5"
        await pilot.press("enter")
        await settle(pilot)
        assert "Not saved: desired retention must be between 0.7 and 0.97" in text(
            screen, "#retention-status")
        assert app.services.store.get_setting("desired_retention", "unset") == "unset"
        field.value = "0.85"
        await pilot.press("enter")
        await settle(pilot)
        assert "Saved: desired retention 0.85." in text(screen, "#retention-status")
        assert app.services.store.scheduler.desired_retention == pytest.approx(0.85)


async def test_a_binding_moves_to_the_key_pressed_and_back_with_delete(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        await press_new_key(pilot, screen, "lesson.next", "j")
        assert app.screen is screen
        assert json.loads(app.services.store.get_setting("keymap")) == {"lesson.next": "j"}
        assert app._keymap == {"lesson.next": "j"}  # applied at once
        row = str(screen.query_one("#keys", OptionList).get_option("lesson.next").prompt)
        assert row.startswith("j ") and "Next: j." in text(screen, "#keys-status")
        await pilot.press("delete")
        await settle(pilot)
        assert json.loads(app.services.store.get_setting("keymap")) == {}
        assert app._keymap == {}
        assert "Next: n (default)." in text(screen, "#keys-status")


async def test_a_key_taken_where_the_binding_applies_is_refused(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        for binding_id, key, taken_by in (("lesson.next", "p", "lesson.previous"),
                                          ("home.lessons", "ctrl+t", "app.theme")):
            await press_new_key(pilot, screen, binding_id, key)
            assert f"({taken_by})" in text(screen, "#keys-status")
            assert text(screen, "#keys-status").startswith("Not changed:")
        assert app.services.store.get_setting("keymap", "unset") == "unset"


async def test_escape_cancels_the_new_key(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        await press_new_key(pilot, screen, "quiz.flag", "escape")
        assert app.screen is screen
        assert app.services.store.get_setting("keymap", "unset") == "unset"


@pytest.mark.parametrize(
    ("owner", "expected"),
    [("VpkpApp", "everywhere"), ("VpkpScreen", "every screen"), ("HomeScreen", "Home"),
     ("QuizBuilderScreen", "Quiz builder"), ("ConfirmDialog", "Confirm"),
     ("AnswerInput", "Answers")],
)
def test_place_names_where_a_binding_applies(owner: str, expected: str) -> None:
    assert place(owner) == expected


async def test_every_place_and_id_in_the_key_list_is_whole_at_80_columns(
        make: MakeApp) -> None:
    """The place column was cut at 12 characters ("Course picke", "Trajectory a")."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(app, pilot)
        keys = screen.query_one("#keys", OptionList)
        width = keys.scrollable_content_region.width
        for b in screen.binding_list:
            row = str(keys.get_option(b.id).prompt)
            assert f" {place(b.where)} " in row and row.endswith(b.id), row
            assert len(row) <= width, row
        assert max(len(place(b.where)) for b in screen.binding_list) > 12  # (the case)
