"""Learner picker: create a profile, pick one, `--learner` skips the picker, switch learner."""

from __future__ import annotations

from textual.message import Message

from tests.tui.helpers import posted, settle
from vpkp_tutor.tui.messages import LearnerChosen
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.learner import LearnerScreen


async def test_first_run_creates_a_profile(make, store) -> None:  # type: ignore[no-untyped-def]
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
    assert app.services.get_setting("last_learner") == learner.id


async def test_pick_existing_profile(make) -> None:  # type: ignore[no-untyped-def]
    app = make(learner=None)
    first = app.services.create_learner("Dr Bea")
    second = app.services.create_learner("Dr Cy")
    app.services.set_setting("last_learner", second.id)
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


async def test_learner_option_skips_picker_and_reuses_profile(make, store) -> None:  # type: ignore[no-untyped-def]
    app = make(learner="Dr Dee")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    again = make(learner="dr dee")
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert [x.display_name for x in store.list_learners()] == ["Dr Dee"]
