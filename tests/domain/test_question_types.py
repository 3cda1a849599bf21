"""Every question type is handled by every per-type table: the tables are keyed by the
record class, and a type missing from one is named here (the type checker names the
`match` statements)."""

from __future__ import annotations

from typing import get_args

import msgspec
import pytest

from vpkp_tutor.domain.model import QUESTION_CLASSES, DrillGeometry, Question, QuestionType
from vpkp_tutor.export.xapi import INTERACTION_TYPES
from vpkp_tutor.storage.review import FAST_SECONDS

TYPES = set(get_args(Question))


def test_every_question_type_has_one_record_class() -> None:
    assert set(QUESTION_CLASSES) == set(QuestionType)
    assert set(QUESTION_CLASSES.values()) == TYPES


@pytest.mark.parametrize(
    ("name", "table"),
    [("review seconds", FAST_SECONDS), ("xAPI interaction type", INTERACTION_TYPES)],
)
def test_per_type_tables_are_complete(name: str, table: dict[type[Question], object]) -> None:
    missing = sorted(cls.__name__ for cls in TYPES - set(table))
    extra = sorted(str(key) for key in set(table) - TYPES)
    assert not missing and not extra, f"{name}: missing {missing}, not a type {extra}"


@pytest.mark.parametrize("cls", sorted(TYPES, key=lambda c: c.__name__))
def test_records_round_trip_through_the_tagged_union(cls: type[Question]) -> None:
    """The content cache stores questions as msgpack of the union; the tag brings back the
    same record class."""
    fields: dict[str, object] = {
        "options": (), "key": "A", "keys": ("A",), "pairs": (), "answer": 1.5,
        "geometry": DrillGeometry(
            level="L3", side="right", approach="transpedicular", plan="bipedicular",
            body_width=46, body_depth=34, body_height=27, pedicle_width=10,
            pedicle_height=15, pedicle_length=20, pedicle_offset=13, medial_angle=18,
            midline_tolerance=0.35),
    }
    own = {k: v for k, v in fields.items() if k in cls.__struct_fields__}
    q = cls(id="q", topic="anatomy", objectives=("o",), difficulty="easy",  # type: ignore[arg-type]
            stem="s", explanation="e", references=("r",), **own)
    back = msgspec.msgpack.decode(msgspec.msgpack.encode(q), type=Question)
    assert type(back) is cls and back == q
    assert back.type is QuestionType(cls.__struct_config__.tag)
