"""Learner profiles in the store and the services: names are unique (case and spacing do not
matter) even across two connections, one rule says what a name may be, a database that
already holds two learners with one name keeps working, rename and delete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.tui.bank import FakeClock
from vpkp_tutor.domain.progress import Learner, QuizMode, QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.services.learners import (
    MAX_NAME_LENGTH,
    AmbiguousLearnerError,
    NameTakenError,
    learner_name,
)
from vpkp_tutor.storage import SqliteProgressStore, open_store


def add_duplicate(store: SqliteProgressStore, learner_id: str, name: str) -> None:
    """Write a learner the way an older version did, without the name check."""
    with store.transaction() as c:
        c.execute("INSERT INTO learner(id, display_name, created_at) VALUES (?, ?, ?)",
                  (learner_id, name, "2026-01-02T03:04:05.000000Z"))


@pytest.mark.parametrize("other", ["ada", " Ada ", "ADA  ", "aDa", "Ada\u3000"])
def test_same_name_in_other_case_or_spacing_is_refused(services: Services, other: str) -> None:
    ada = services.create_learner("Ada", "Mayo", "PGY-3")
    with pytest.raises(NameTakenError) as caught:
        services.create_learner(other)
    assert caught.value.existing == ada
    assert [x.id for x in services.list_learners()] == [ada.id]


def test_internal_spaces_collapse_for_comparison(services: Services) -> None:
    services.create_learner("Ada  Lovelace")
    with pytest.raises(NameTakenError):
        services.create_learner("ada lovelace")
    services.create_learner("Ada Byron")  # a different name is fine
    assert len(services.list_learners()) == 2


def test_second_connection_cannot_create_the_same_name(tmp_path: Path) -> None:
    """Two programs on one database: the check runs inside the write transaction, so the
    second sees the first one's learner."""
    first = open_store(tmp_path / "data", daily_backups=False)
    second = open_store(tmp_path / "data", daily_backups=False)
    try:
        first.add_learner(Learner(id="a" * 32, display_name="Ada"), unique=True)
        with pytest.raises(NameTakenError):
            second.add_learner(Learner(id="b" * 32, display_name="ADA"), unique=True)
        assert [x.id for x in second.list_learners()] == ["a" * 32]
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("bad", ["", "   ", "\x1b[31m\x1b[0m", "\x1b]0;title\x07", "\t\n",
                                 "\u200b\u200d", "\u202e", "\u3164"])
def test_a_name_needs_a_visible_character(services: Services, bad: str) -> None:
    with pytest.raises(ValueError, match="at least one visible character"):
        learner_name(bad)
    with pytest.raises(ValueError, match="at least one visible character"):
        services.create_learner(bad)
    assert services.list_learners() == []


def test_a_name_has_a_maximum_length(services: Services) -> None:
    assert learner_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH
    with pytest.raises(ValueError, match=f"at most {MAX_NAME_LENGTH} characters"):
        services.create_learner("x" * (MAX_NAME_LENGTH + 1))


def test_names_are_cleaned_but_keep_their_letters(services: Services) -> None:
    assert learner_name("  \x1b[1mDr\x1b[0m   Ada \u200b ") == "Dr Ada \u200b"
    assert services.create_learner("Zoë 👩‍⚕️").display_name == "Zoë 👩‍⚕️"


def test_existing_duplicates_keep_working_and_are_listed_readably(services: Services) -> None:
    ada = services.create_learner("Ada", "Mayo", "PGY-3")
    attempt = services.build_quiz(ada.id, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1))
    question = services.question(attempt.question_ids[0])
    services.record_answer(attempt.id, question.id, "A" if question.options else 1.0, 4.0)
    add_duplicate(services.store, "f00dfeed" + "0" * 24, "ada")

    assert len(services.list_learners()) == 2  # nobody is lost
    with pytest.raises(AmbiguousLearnerError) as caught:
        services.resolve_learner(" ADA ")
    message = str(caught.value)
    assert "2 learners are called 'ADA'" in message
    assert "Ada · Mayo · PGY-3 · 1 answer · last active " in message
    assert "ada · 0 answers · last active never · id f00dfeed" in message
    assert "vpkp-tutor learners rename f00dfeed" in message
    assert services.find_learner("Ada") is None  # never a silent guess
    assert services.resolve_learner(ada.id) == ada  # an id still picks one
    assert services.resolve_learner("f00dfeed").display_name == "ada"  # so does its start
    with pytest.raises(AmbiguousLearnerError):
        services.open_learner("Ada")  # and the app does not create a third


def test_rename_refuses_a_clash_and_allows_a_new_case(services: Services) -> None:
    ada = services.create_learner("Ada")
    services.create_learner("Bea")
    with pytest.raises(NameTakenError):
        services.rename_learner("Ada", " bea ")
    before, after = services.rename_learner("ada", "ADA")
    assert (before.display_name, after.display_name, after.id) == ("Ada", "ADA", ada.id)
    with pytest.raises(ValueError, match="visible character"):
        services.rename_learner("ADA", "\x1b[0m")
    assert services.rename_learner(ada.id, "Ada Lovelace")[1].display_name == "Ada Lovelace"


def test_rename_separates_duplicates(services: Services) -> None:
    services.create_learner("Ada")
    add_duplicate(services.store, "f00dfeed" + "0" * 24, "ADA")
    services.rename_learner("f00dfeed", "Ada Byron")
    assert sorted(x.display_name for x in services.list_learners()) == ["Ada", "Ada Byron"]
    assert services.resolve_learner("ada").display_name == "Ada"


def test_delete_removes_the_learner_and_everything_recorded(services: Services) -> None:
    ada = services.create_learner("Ada")
    bea = services.create_learner("Bea")
    for who in (ada, bea):
        attempt = services.build_quiz(who.id, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        for qid in attempt.question_ids:
            q = services.question(qid)
            services.record_answer(attempt.id, qid, "A" if getattr(q, "options", ()) else 1.0, 3.0)
        services.set_flag(who.id, attempt.question_ids[0], True)
        services.finish_quiz(attempt.id)
    services.store.set_setting("last_learner", ada.id)
    store = services.store
    tables = [r[0] for r in store.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%learner_id%'")]
    assert {"response", "attempt", "flag", "review_card", "review_log"} <= set(tables)

    assert services.delete_learner(ada.id)
    for table in tables:
        assert store.query(f"SELECT 1 FROM {table} WHERE learner_id = ?", (ada.id,)) == []
    assert [x.id for x in services.list_learners()] == [bea.id]
    assert len(store.responses(bea.id)) == 2  # nobody else is touched
    assert services.store.get_setting("last_learner") == ""
    assert not services.delete_learner(ada.id)


def test_summaries_count_answers_and_last_activity(services: Services, clock: FakeClock) -> None:
    ada = services.create_learner("Ada")
    bea = services.create_learner("Bea")
    attempt = services.build_quiz(ada.id, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
    for qid in attempt.question_ids:
        q = services.question(qid)
        services.record_answer(attempt.id, qid, "A" if getattr(q, "options", ()) else 1.0, 3.0)
    summaries = {s.learner.id: s for s in services.learner_summaries()}
    assert summaries[ada.id].answers == 2
    assert summaries[ada.id].last_active == clock()
    assert isinstance(summaries[ada.id].last_active, dt.datetime)
    assert (summaries[bea.id].answers, summaries[bea.id].last_active) == (0, None)
    assert summaries[bea.id].last_active_text == "never"
