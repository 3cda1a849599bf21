"""Loader behaviour beyond single error kinds: typing by schema, skipping, fingerprints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vpkp_tutor.content.loader import load_content
from vpkp_tutor.content.yamlsource import clean_text

TODAY = dt.date(2026, 11, 23)
LESSON = """\
kind: lesson
id: typing-lesson
title: NO
topic: anatomy
summary: 1.10
estimated_minutes: 7
last_reviewed: 2026-11-01
objectives:
  - id: typ.one
    text: yes
references: [12:30, on]
steps:
  - title: "[@click=app.quit]Quit[/]"
    body: "[link=file:///etc/passwd]x[/link] and an unbalanced ["
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml11_lookalikes_stay_the_text_the_author_wrote(tmp_path: Path) -> None:
    bank = load_content([write(tmp_path, "l.yaml", LESSON)], today=TODAY)
    assert [p for p in bank.problems if p.severity == "error"] == []
    lesson = bank.lessons[0]
    assert lesson.title == "NO"
    assert lesson.summary == "1.10"
    assert lesson.objectives[0].text == "yes"
    assert lesson.references == ("12:30", "on")
    assert lesson.estimated_minutes == 7
    assert lesson.steps[0].title == "[@click=app.quit]Quit[/]"


def test_broken_file_is_left_out_and_the_rest_loads(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", LESSON)
    bad = write(tmp_path, "bad.yaml", "kind: lesson\nid: [oops\n")
    bank = load_content([good, bad], today=TODAY)
    assert [lesson.id for lesson in bank.lessons] == ["typing-lesson"]
    assert bank.skipped_files == (str(bad),)
    assert bank.errors and all(p.path == str(bad) for p in bank.errors)


def test_folder_is_searched_recursively_and_fingerprint_tracks_content(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "l.yaml", LESSON)
    first = load_content([tmp_path], today=TODAY)
    assert len(first.lessons) == 1 and first.files_checked == 1
    again = load_content([tmp_path], today=TODAY)
    assert again.fingerprint == first.fingerprint
    write(tmp_path / "sub", "l.yaml", LESSON.replace("title: NO", "title: Changed"))
    assert load_content([tmp_path], today=TODAY).fingerprint != first.fingerprint


def test_clean_text_strips_escapes_controls_and_bidi() -> None:
    raw = "a\x1b[31mred\x1b[0m\x07b\u202ec\x1b]8;;http://x\x07link\x1b]8;;\x07\tok\nz\x9b"
    assert clean_text(raw) == "aredbclink\tok\nz"


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + LESSON.replace("\n", "\r\n").encode())
    bank = load_content([path], today=TODAY)
    assert bank.errors == ()
    assert bank.lessons[0].title == "NO"
