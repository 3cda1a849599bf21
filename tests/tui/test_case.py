"""Case player: findings revealed, choices with feedback, the end node and the never event,
and the debrief with the path taken beside the expert path."""

from __future__ import annotations

import os

import pytest
from textual.message import Message

from tests.bundled import bundled_bank
from tests.tui.conftest import MakeApp
from tests.tui.helpers import posted, settle
from vpkp_tutor.tui.messages import OpenCase
from vpkp_tutor.tui.screens.case import CaseScreen
from vpkp_tutor.tui.screens.cases import CaseListScreen
from vpkp_tutor.tui.screens.debrief import DebriefScreen
from vpkp_tutor.tui.widgets.case_choices import CaseChoices


def _text(screen: object, selector: str) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return "\n".join(str(w.render()) for w in screen.query(selector))


async def test_expert_path_to_debrief(make: MakeApp) -> None:
    app = make()
    messages: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert [m.case_id for m in posted(messages, OpenCase)] == ["case-candidate"]
        case_screen = app.screen
        assert isinstance(case_screen, CaseScreen)
        assert "30% height loss" in _text(case_screen, ".findings")
        await pilot.press("enter")  # choice 1 (highlighted): MRI
        await settle(pilot)
        assert [m.choice_id for m in posted(messages, CaseChoices.Chosen)] == ["mri"]
        assert "STIR confirms" in _text(case_screen, ".choice-feedback")
        await pilot.press("n")
        await settle(pilot)
        assert "STIR: T12 oedema" in _text(case_screen, ".new-findings")
        assert "Outcome: good" in _text(case_screen, ".outcome")
        await pilot.press("enter")
        await settle(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.result.passed and debrief.path == ("mri",)
        assert "Order an MRI" in _text(debrief, "#your-path")
        assert "Order an MRI" in _text(debrief, "#expert-path")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseListScreen)
        assert "best 100%" in str(app.screen.query_one("#cases").get_option("case-candidate").prompt)
    _, runs = app.services.history(app.learner.id)
    assert [(r.choice_path, r.points, r.finished_at is not None) for r in runs] == [
        (("mri",), 2, True)
    ]


async def test_never_event_ends_the_case(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c", "enter")
        await settle(pilot)
        case_screen = app.screen
        assert isinstance(case_screen, CaseScreen)
        await pilot.press("2")  # "Book augmentation now": critical
        await settle(pilot)
        text = _text(case_screen, ".never-event")
        assert "Never event" in text and "Treating blind is a never event." in text
        await pilot.press("enter")
        await settle(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        assert debrief.result.critical_errors == ("inject-now",)
        assert "Never event" in _text(debrief, "#debrief-result")
        await pilot.press("r")  # play again
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    _, runs = app.services.history(app.learner.id)
    finished = [r for r in runs if r.finished_at is not None]
    assert [r.critical_errors for r in finished] == [("inject-now",)]


async def test_case_list_groups_by_topic_and_shows_the_opening(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        cases = app.screen.query_one("#cases")
        heading = cases.get_option_at_index(0)
        assert heading.disabled and "Patient selection — 0/1 played" in str(heading.prompt)
        assert cases.highlighted == 1 and cases.get_option_at_index(1).id == "case-candidate"
        assert "not played" in str(cases.get_option_at_index(1).prompt)
        assert "Mrs A, 81, fractured T12." in _text(app.screen, "#case-detail")


# -- playable by keyboard in a small terminal (the choices stay in view) -----------------------


# one test per case (each bundled case takes a second or two): the suite's workers share them
BUNDLED_CASES = [case.id for case in bundled_bank().cases]


@pytest.mark.parametrize("case_id", BUNDLED_CASES)
@pytest.mark.parametrize("size", [
    (80, 24),
    pytest.param((60, 20), marks=[  # a second size in `make soak`
        pytest.mark.soak,
        pytest.mark.skipif(not os.environ.get("VPKP_SOAK"), reason="soak: run `make soak`")]),
])
async def test_every_choice_of_every_bundled_case_is_in_view(
        make: MakeApp, size: tuple[int, int], case_id: str) -> None:
    """At each node of each bundled case every choice line is on screen, above the footer,
    without scrolling (neither the story nor the choice list)."""
    content = bundled_bank()
    app = make(content=content)
    width, height = size
    checked = 0
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        case = content.case(case_id)
        screen = CaseScreen(case)
        await app.push_screen(screen)
        await settle(pilot)
        for node in case.nodes:
            if node.is_end:
                continue
            screen.node = node
            screen.findings = []  # as if this node's findings were all new
            await screen.show_node()
            await settle(pilot)
            choices = screen.query_one("#choices", CaseChoices)
            footer = screen.query_one("KeyFooter").region
            region = choices.region
            where = f"{case.id}/{node.id} at {width}×{height}"
            assert choices.has_focus, where
            assert region.height >= len(node.choices), where
            assert region.y >= 0 and region.bottom <= footer.y, where
            assert choices.max_scroll_y == 0, where  # no choice hidden inside the list
            checked += 1
        screen.dismiss()
        await settle(pilot)
    assert checked >= 1


async def test_story_scrolls_by_keys_while_the_choices_have_focus(make: MakeApp) -> None:
    """PgDn/End/PgUp/Home scroll the story; the footer names the keys; Tab to the story and a
    digit still chooses."""
    content = bundled_bank()
    app = make(content=content)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = next(c for c in content.cases if c.id == "case-metastatic-wall")
        screen = CaseScreen(case)
        await app.push_screen(screen)
        await settle(pilot)
        body = screen.query_one("#case-body")
        assert screen.query_one("#choices").has_focus
        assert body.max_scroll_y > 0  # the story is longer than its region
        await pilot.press("pagedown")
        await settle(pilot)
        assert body.scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert body.scroll_y == 0
        footer = " ".join(str(k.render()) for k in screen.query("FooterKey"))
        assert "Choose" in footer and "Scroll story" in footer
        prompt = str(screen.query_one("#decide-title").render())
        assert "Press 1–3" in prompt and "PgUp/PgDn" in prompt
        await pilot.press("tab")
        await settle(pilot)
        assert body.has_focus
        await pilot.press("down")
        await settle(pilot)
        assert body.scroll_y > 0  # ↑/↓ scroll the story once it has the focus
        await pilot.press("2")
        await settle(pilot)
        assert screen.path == ["mri-and-ct"]
        feedback = _text(screen, ".choice-feedback")
        # the feedback is reflowed to the width, not cut where the content file wrapped it
        assert "decide safety are the state of the posterior wall" in " ".join(feedback.split())
        assert "decide safety are\n" not in feedback


async def test_a_case_left_before_its_end_goes_on_where_it_was_left(make: MakeApp) -> None:
    """Esc after a decision, then the case again: the next decision, not the first (the
    choices made were kept, but a new run started from the beginning)."""
    bank = bundled_bank()
    case, first = next(
        (c, ch) for c in bank.cases for ch in c.node(c.start).choices
        if not ch.critical and ch.next is not None and not c.node(ch.next).is_end)
    app = make(content=bank)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.post_message(OpenCase(case.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        await pilot.press(str(case.node(case.start).choices.index(first) + 1))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CaseScreen)
        app.post_message(OpenCase(case.id))
        await settle(pilot)
        again = app.screen
        assert isinstance(again, CaseScreen) and again is not screen
        assert again.node.id == first.next and again.path == [first.id]
        assert "Decision 2" in str(again.query_one("#case-status").render())
        assert again.query(".vignette")  # the opening, shown again above the decision
        runs = app.services.store.case_runs(app.learner.id)
        assert [r.choice_path for r in runs] == [(first.id,)]  # the one run, resumed
