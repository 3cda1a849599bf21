"""Learner picker: create a profile, pick one, `--learner` skips the picker, switch learner
(escape goes back), a taken name is refused with an offer to open that profile, a name
without visible characters is refused."""

from __future__ import annotations

from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from tests.tui.conftest import MakeApp
from tests.tui.helpers import posted, settle
from vpkp_tutor.storage import SqliteProgressStore
from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog
from vpkp_tutor.tui.messages import LearnerChosen
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.learner import LearnerScreen


def offers_back(screen: Screen[object]) -> bool:
    """The footer shows an enabled "Back" key."""
    return any(b.action == "back" and enabled
               for _, b, enabled, _ in screen.active_bindings.values())


async def test_first_run_creates_a_profile(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make(learner=None)
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        await pilot.press("enter")  # empty name: refused
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        await pilot.press(*"Dr Ada", "tab", *"Mayo", "tab", *"PGY-3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    chosen = posted(messages, LearnerChosen)
    assert [m.learner.display_name for m in chosen] == ["Dr Ada"]
    (learner,) = store.list_learners()
    assert (learner.display_name, learner.program, learner.level) == ("Dr Ada", "Mayo", "PGY-3")
    assert len(learner.id) >= 16
    assert app.services.store.get_setting("last_learner") == learner.id


async def test_pick_existing_profile(make: MakeApp) -> None:
    app = make(learner=None)
    first = app.services.create_learner("Dr Bea")
    second = app.services.create_learner("Dr Cy")
    app.services.store.set_setting("last_learner", second.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        await pilot.press("enter")  # the last learner is highlighted
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.learner is not None and app.learner.id == second.id
        await pilot.press("l")  # switching from a deeper screen unwinds the stack
        await settle(pilot)
        app.action_switch_learner()
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert app.learner is not None and app.learner.id == first.id


async def test_learner_option_skips_picker_and_reuses_profile(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make(learner="Dr Dee")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    again = make(learner="dr dee")
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert [x.display_name for x in store.list_learners()] == ["Dr Dee"]


async def test_picker_refuses_a_taken_name_and_offers_that_profile(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make(learner=None)
    ada = app.services.create_learner("Ada", "Mayo", "PGY-3")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", *" ada ", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "A profile called “Ada (Mayo · PGY-3)” already exists" in dialog.question
        assert "0 answers" in dialog.question
        await pilot.press("n")  # choose another name: back in the form, nothing created
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, LearnerScreen)
        assert picker.focused is picker.query_one("#name", Input)
        error = str(picker.query_one("#learner-error", Static).content)
        assert "A profile called 'Ada' already exists" in error
        assert [x.id for x in store.list_learners()] == [ada.id]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")  # open the existing profile
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.learner == ada
    assert [x.id for x in store.list_learners()] == [ada.id]


async def test_picker_refuses_a_name_without_visible_characters(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make(learner=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for bad in ("   ", "\x1b[31m\x1b[0m", "\u200b\u200b"):
            app.screen.query_one("#name", Input).value = bad
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, LearnerScreen), repr(bad)
            error = str(app.screen.query_one("#learner-error", Static).content)
            assert error == "A learner name needs at least one visible character.", repr(bad)
    assert store.list_learners() == []


async def test_escape_leaves_switch_learner_for_the_learner_who_was_there(make: MakeApp) -> None:
    app = make(learner="Dr Ada")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ada = app.learner
        assert ada is not None
        app.services.create_learner("Dr Bea")
        app.action_switch_learner()
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen) and app.learner is None
        assert offers_back(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.learner == ada and app.sub_title == "Dr Ada"
        assert len(app.screen_stack) == 1
        app.action_switch_learner()  # renamed meanwhile: back as the profile is now
        await settle(pilot)
        app.services.rename_learner(ada.id, "Dr Ada Lovelace")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.learner is not None and app.learner.display_name == "Dr Ada Lovelace"


async def test_escape_on_the_first_picker_stays_and_ctrl_q_quits(make: MakeApp) -> None:
    app = make(learner=None)
    app.services.create_learner("Dr Bea")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen) and app.learner is None
        assert not offers_back(app.screen)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_escape_goes_back_when_switching_returns_to_the_first_picker(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make(learner=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Dr Ada", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        ada = app.learner
        app.action_switch_learner()  # back to the picker at the bottom of the stack
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, LearnerScreen) and app.learner is None
        assert picker.query_one("#name", Input).value == ""  # the form starts empty again
        assert offers_back(picker)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.learner == ada
    assert [x.display_name for x in store.list_learners()] == ["Dr Ada"]


async def test_full_disk_keeps_the_picker_open_and_the_name_to_try_again(make: MakeApp, store: SqliteProgressStore) -> None:
    """A real SQLITE_FULL: the store's connection is capped at the pages it has and the
    learner table's free room filled with ever smaller filler profiles."""
    import sqlite3

    app = make(learner=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Dr Ada")
        conn = store._conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        size, n = 2048, 0
        while size >= 1:
            try:
                conn.execute("INSERT INTO learner(id, display_name, created_at) VALUES (?,?,?)",
                             (f"~{n:06d}", "~" * size, "2026-01-01T00:00:00.000000Z"))
                n += 1
            except sqlite3.OperationalError:
                size //= 2
        await pilot.press("enter")
        await settle(pilot)
        picker = app.screen
        assert app.is_running and isinstance(picker, LearnerScreen)
        assert "The disk is full" in str(picker.query_one("#learner-error", Static).content)
        assert picker.query_one("#name", Input).value == "Dr Ada"
        conn.execute("PRAGMA max_page_count = 1073741823")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.learner is not None and app.learner.display_name == "Dr Ada"


async def test_keys_typed_ahead_after_tab_land_in_the_next_field(make, store) -> None:  # type: ignore[no-untyped-def]
    """Keys that arrive together (typed ahead, or in one packet over SSH) are handled in
    order: the Tab moves the focus before the letters after it are handed on."""
    from textual import events

    app = make(learner=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        burst = [*"Dr Ada", "tab", *"Mayo", "tab", *"PGY-3"]
        for key in burst:  # all queued at once, none awaited
            char = key if len(key) == 1 else None
            app.post_message(events.Key(key if char is None or char.isalnum() else
                                        {" ": "space", "-": "minus"}[char], char))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    (learner,) = store.list_learners()
    assert (learner.display_name, learner.program, learner.level) == ("Dr Ada", "Mayo", "PGY-3")


async def test_a_name_typed_right_after_ctrl_n_lands_in_the_form(make: MakeApp) -> None:
    """ctrl+n and a name in one burst, from the list of profiles: the name is typed in the
    new-profile form (it was lost on the list, and Enter then said the name was empty)."""
    from tests.tui.helpers import burst

    app = make(learner=None)
    app.services.open_learner("Ada")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LearnerScreen)
        assert not isinstance(app.focused, Input)  # the list of profiles has the keys
        burst(app, "ctrl+n", *"Bea Li")
        await settle(pilot)
        name = screen.query_one("#name", Input)
        assert app.focused is name and name.value == "Bea Li"


async def test_the_next_learner_gets_screens_of_their_own(make: MakeApp) -> None:
    """The quiz builder opened by one learner, then another learner chosen: the builder
    opens afresh (it kept the first learner's mode, items and minutes)."""
    from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        builder = app.screen
        assert isinstance(builder, QuizBuilderScreen)
        builder.query_one("#count", Input).value = "4"
        await pilot.press("escape")
        await settle(pilot)
        app.action_switch_learner()
        await settle(pilot)
        assert isinstance(app.screen, LearnerScreen)
        two = app.services.create_learner("Dr Two")
        app.post_message(LearnerChosen(two))  # (what the picker's choice posts)
        await settle(pilot)
        assert app.learner is not None and app.learner.id == two.id
        await pilot.press("q")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, QuizBuilderScreen) and again is not builder
        assert again.query_one("#count", Input).value == "10"
