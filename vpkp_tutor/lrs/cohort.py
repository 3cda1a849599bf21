"""The cohort from a Learning Record Store: the program's statements read back (paging with
`more`, within the program's activity base and a date range) and turned into the same
learner records the file-based cohort report reads (`json_export.LearnerExport`), so the
report and item analysis are built by the same code either way.

What a statement does not carry comes from the director's content bank, as an export takes
it from the learner's: each question's topic, objectives, type and difficulty, each case's
title and topic, the bank's per-topic totals and fingerprint. Learners are named by their
xAPI account name (the display name never leaves the learner's machine). An answer's reason
for a miss (result extensions `ext/error-tag` and `ext/error-comment`) is read back as the
export carries it: a tag the app does not know is dropped, a comment kept only with a tag
and cut to the export's limit. A voided statement
(an answer replaced, an attempt discarded) is left out, as are statements under another
base.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from vpkp_tutor.domain.confidence import COMMENT_MAX, confidence_from, error_tag_from
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import (
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRecord,
    iso_utc,
    parse_utc,
)
from vpkp_tutor.export.json_export import CaseRunInfo, ExportedResponse, LearnerExport
from vpkp_tutor.export.record import bank_topic_totals, question_meta
from vpkp_tutor.export.xapi import VERBS, base_iri

if TYPE_CHECKING:
    from vpkp_tutor.lrs.client import LrsClient


def fetch(client: LrsClient, base: str, since: dt.datetime | None = None,
          until: dt.datetime | None = None, page: int | None = None
          ) -> Iterator[dict[str, Any]]:
    """The statements under `base` (voiding statements of any time, the others with a
    timestamp in [since, until)), following `more` from page to page. `since` goes to the
    LRS (which may compare it with `stored`, never earlier than the timestamp); `until` is
    applied here, so a statement stored after it still counts by when it happened."""
    prefix = base_iri(base)
    params: dict[str, str] = {}
    if since is not None:
        params["since"] = iso_utc(since)
    if page is not None:
        params["limit"] = str(page)
    for st in client.statements(params):
        obj = st.get("object") or {}
        if st.get("verb", {}).get("id") == VERBS["voided"]:
            yield st
            continue
        if not str(obj.get("id", "")).startswith(prefix):
            continue
        try:
            when = parse_utc(str(st["timestamp"]))
        except (KeyError, ValueError):
            continue
        if (since is None or when >= since) and (until is None or when < until):
            yield st


def _seconds(text: str) -> float:
    """Seconds of an ISO 8601 duration as the app writes them (`PT12.5S`, `PT1H2M3S`)."""
    import re

    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", text)
    if not m:
        return 0.0
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return d * 86400 + h * 3600 + mi * 60 + s


def _tail(object_id: str, prefix: str) -> str | None:
    return unquote(object_id[len(prefix):]) if object_id.startswith(prefix) else None


def exports(statements: Iterable[dict[str, Any]], bank: ContentBank, base: str, source: str,
            fetched_at: dt.datetime) -> list[LearnerExport]:
    """One `LearnerExport` per learner (account name) from the program's statements."""
    prefix = base_iri(base)
    kept: list[dict[str, Any]] = []
    voided: set[str] = set()
    for st in statements:
        if st.get("verb", {}).get("id") == VERBS["voided"]:
            voided.add(str(st.get("object", {}).get("id", "")))
        else:
            kept.append(st)
    totals = bank_topic_totals(bank)
    cases = {c.id: c for c in bank.cases}
    lesson_topics = {x.id: x.topic for x in bank.lessons}
    by_learner: dict[str, dict[str, Any]] = {}
    for st in kept:
        if st.get("id") in voided:
            continue
        account = st.get("actor", {}).get("account", {})
        name = str(account.get("name", ""))
        if not name:
            continue
        mine = by_learner.setdefault(name, {"responses": [], "runs": {}, "lessons": {}})
        verb = st["verb"]["id"]
        oid = str(st["object"].get("id", ""))
        when = parse_utc(str(st["timestamp"]))
        result = st.get("result", {})
        score = result.get("score", {})
        ctx = st.get("context", {})
        if verb == VERBS["answered"] and (qid := _tail(oid, f"{prefix}question/")):
            ext = ctx.get("extensions", {})
            parent = (ctx.get("contextActivities", {}).get("parent") or [{}])[0].get("id", "")
            lesson = _tail(str(parent), f"{prefix}lesson/")
            attempt = f"lesson:{lesson}" if lesson is not None else str(
                ctx.get("registration", ""))
            found = result.get("extensions", {})
            tag = error_tag_from(found.get(f"{prefix}ext/error-tag"))
            comment = found.get(f"{prefix}ext/error-comment", "")
            record = ResponseRecord(
                attempt_id=attempt, question_id=qid,
                content_hash=str(ext.get(f"{prefix}ext/content-hash", "")), answer=None,
                points=float(score.get("raw", 0.0)), max_points=float(score.get("max", 0.0)),
                correct=bool(result.get("success", False)),
                seconds=_seconds(str(result.get("duration", ""))), answered_at=when,
                error_tag=tag.value if tag else None,
                error_comment=comment[:COMMENT_MAX] if tag and isinstance(comment, str) else "",
                confidence=int(sure) if (sure := confidence_from(
                    found.get(f"{prefix}ext/confidence"))) else None)
            event = ResponseEvent(id=str(st["id"]), learner_id=name,
                                  mode=str(ext.get(f"{prefix}ext/mode", "")), record=record)
            mine["responses"].append(ExportedResponse(event, question_meta(bank, qid)))
        elif verb == VERBS["completed"] and (case_id := _tail(oid, f"{prefix}case/")):
            critical = result.get("extensions", {}).get(f"{prefix}ext/critical-errors", [])
            run = CaseRun(
                id=str(ctx.get("registration", st["id"])), learner_id=name, case_id=case_id,
                choice_path=(), points=int(score.get("raw", 0)),
                max_points=int(score.get("max", 0)), critical_errors=tuple(critical),
                started_at=when - dt.timedelta(seconds=_seconds(str(result.get("duration",
                                                                                 "")))),
                finished_at=when)
            case = cases.get(case_id)
            mine["runs"][run.id] = CaseRunInfo(run, case.title if case else "",
                                               case.topic if case else "")
        elif verb == VERBS["completed"] and (lesson_id := _tail(oid, f"{prefix}lesson/")):
            mine["lessons"][lesson_id] = (LessonProgress(lesson_id, 0, True, when),
                                          lesson_topics.get(lesson_id, ""))
    out = []
    for name, mine in sorted(by_learner.items()):
        out.append(LearnerExport(
            source=source, app_version="", exported_at=fetched_at,
            fingerprint=bank.fingerprint, topic_totals=totals,
            learner=Learner(id=name, display_name=name), course=bank.course,
            lesson_progress=tuple(mine["lessons"].values()),
            case_runs=tuple(mine["runs"].values()),
            responses=tuple(sorted(mine["responses"],
                                   key=lambda r: r.event.record.answered_at)),
            attempts=(), flags=()))
    return out
