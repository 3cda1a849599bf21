"""Checks of xAPI 1.0.3 statements against the rules of the specification (Data §2.4), made
before a statement is queued or written — an LRS may accept a statement that breaks them
(Ralph takes a `scaled` score of 1.5).

`problems(statement)` lists every rule the statement breaks (empty when it is valid), each
as `<path>: <what is wrong>`; `check(statement)` raises `InvalidStatement` naming them.
Only what a producer controls is checked: `stored` and `authority` are the LRS's to set and
`version` is left to the LRS (a producer that sets it must say 1.0.x).
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

STATEMENT_KEYS = frozenset({"id", "actor", "verb", "object", "result", "context",
                            "timestamp", "attachments"})
"""Properties a producer may set (`version`, `stored` and `authority` are refused)."""
INTERACTION_TYPES = frozenset({"true-false", "choice", "fill-in", "long-fill-in", "matching",
                               "performance", "sequencing", "likert", "numeric", "other"})
COMPONENTS = {"choices": {"choice", "sequencing"}, "scale": {"likert"},
              "source": {"matching"}, "target": {"matching"}, "steps": {"performance"}}
"""Interaction components and the interaction types that may carry each."""
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?"
                       r"(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_SPACE = re.compile(r"\s")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class InvalidStatement(ValueError):
    """A statement breaks xAPI 1.0.3 rules; the message lists them."""


def is_iri(text: object) -> bool:
    """An absolute IRI with a scheme (and a host for hierarchical schemes); no spaces."""
    if not isinstance(text, str) or not text or _SPACE.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    if not _SCHEME.match(parts.scheme):
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return bool(parts.netloc or parts.path)


def is_uuid(text: object) -> bool:
    """A UUID in its canonical lower-case form (RFC 4122 variant)."""
    if not isinstance(text, str):
        return False
    try:
        value = uuid.UUID(text)
    except ValueError:
        return False
    return str(value) == text and value.variant == uuid.RFC_4122


def _lang_map(value: object, path: str, out: list[str]) -> None:
    if not isinstance(value, dict) or not value:
        out.append(f"{path}: a language map needs at least one entry")
        return
    for tag, text in value.items():
        if not isinstance(tag, str) or not _LANG.match(tag):
            out.append(f"{path}: {tag!r} is not a language tag")
        if not isinstance(text, str):
            out.append(f"{path}.{tag}: must be a string")


def _agent(actor: object, path: str, out: list[str]) -> None:
    if not isinstance(actor, dict):
        out.append(f"{path}: must be an object")
        return
    if actor.get("objectType", "Agent") not in ("Agent", "Group"):
        out.append(f"{path}.objectType: must be Agent or Group")
    ifis = [k for k in IFIS if k in actor]
    if len(ifis) != 1:
        out.append(f"{path}: needs exactly one identifier (mbox, mbox_sha1sum, openid or "
                   f"account), has {len(ifis)}")
    account = actor.get("account")
    if account is not None:
        if not isinstance(account, dict):
            out.append(f"{path}.account: must be an object")
        else:
            if not is_iri(account.get("homePage")):
                out.append(f"{path}.account.homePage: must be an IRL")
            name = account.get("name")
            if not isinstance(name, str) or not name:
                out.append(f"{path}.account.name: must be a non-empty string")
    if "mbox" in actor and not str(actor["mbox"]).startswith("mailto:"):
        out.append(f"{path}.mbox: must be a mailto: IRI")
    if "name" in actor and not isinstance(actor["name"], str):
        out.append(f"{path}.name: must be a string")


def _definition(d: object, path: str, out: list[str]) -> None:
    if not isinstance(d, dict):
        out.append(f"{path}: must be an object")
        return
    if "type" in d and not is_iri(d["type"]):
        out.append(f"{path}.type: must be an IRI")
    for key in ("name", "description"):
        if key in d:
            _lang_map(d[key], f"{path}.{key}", out)
    itype = d.get("interactionType")
    if itype is None:
        for key in ("correctResponsesPattern", *COMPONENTS):
            if key in d:
                out.append(f"{path}.{key}: only an interaction (interactionType) has one")
        return
    if itype not in INTERACTION_TYPES:
        out.append(f"{path}.interactionType: {itype!r} is not an xAPI interaction type")
    pattern = d.get("correctResponsesPattern")
    if pattern is not None and not (isinstance(pattern, list)
                                    and all(isinstance(p, str) for p in pattern)):
        out.append(f"{path}.correctResponsesPattern: must be a list of strings")
    for comp, types in COMPONENTS.items():
        if comp not in d:
            continue
        if itype not in types:
            out.append(f"{path}.{comp}: not allowed for a {itype} interaction")
        items = d[comp]
        if not isinstance(items, list):
            out.append(f"{path}.{comp}: must be a list")
            continue
        ids = [c.get("id") if isinstance(c, dict) else None for c in items]
        if not all(isinstance(i, str) and i and not any(ch.isspace() for ch in i) for i in ids):
            out.append(f"{path}.{comp}: every component needs an id without spaces")
        if len(set(map(str, ids))) != len(ids):
            out.append(f"{path}.{comp}: component ids must be distinct")
        for i, c in enumerate(items):
            if isinstance(c, dict) and "description" in c:
                _lang_map(c["description"], f"{path}.{comp}[{i}].description", out)


def _object(obj: object, verb_id: str, path: str, out: list[str]) -> None:
    if not isinstance(obj, dict):
        out.append(f"{path}: must be an object")
        return
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        if not is_iri(obj.get("id")):
            out.append(f"{path}.id: an activity id must be an IRI")
        if "definition" in obj:
            _definition(obj["definition"], f"{path}.definition", out)
    elif kind == "StatementRef":
        if not is_uuid(obj.get("id")):
            out.append(f"{path}.id: a StatementRef needs a statement id (UUID)")
    elif kind in ("Agent", "Group"):
        _agent(obj, path, out)
    else:
        out.append(f"{path}.objectType: {kind!r} is not allowed here")
    if verb_id == VOIDED and kind != "StatementRef":
        out.append(f"{path}: a voiding statement's object must be a StatementRef")


VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _score(score: object, path: str, out: list[str]) -> None:
    if not isinstance(score, dict):
        out.append(f"{path}: must be an object")
        return
    nums = {}
    for key in ("scaled", "raw", "min", "max"):
        if key in score:
            value = score[key]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or value != value or value in (float("inf"), float("-inf")):
                out.append(f"{path}.{key}: must be a finite number")
            else:
                nums[key] = float(value)
    if "scaled" in nums and not -1 <= nums["scaled"] <= 1:
        out.append(f"{path}.scaled: {nums['scaled']:g} is outside -1 to 1")
    lo, hi, raw = nums.get("min"), nums.get("max"), nums.get("raw")
    if lo is not None and hi is not None and not lo < hi:
        out.append(f"{path}: min must be less than max")
    if raw is not None and ((lo is not None and raw < lo) or (hi is not None and raw > hi)):
        out.append(f"{path}.raw: {raw:g} is outside min to max")


def _extensions(ext: object, path: str, out: list[str]) -> None:
    if not isinstance(ext, dict):
        out.append(f"{path}: must be an object")
        return
    for key in ext:
        if not is_iri(key):
            out.append(f"{path}: key {key!r} is not an IRI")


def _result(result: object, path: str, out: list[str]) -> None:
    if not isinstance(result, dict):
        out.append(f"{path}: must be an object")
        return
    if "score" in result:
        _score(result["score"], f"{path}.score", out)
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            out.append(f"{path}.{key}: must be true or false")
    if "response" in result and not isinstance(result["response"], str):
        out.append(f"{path}.response: must be a string")
    if "duration" in result and not (isinstance(result["duration"], str)
                                     and _DURATION.match(result["duration"])):
        out.append(f"{path}.duration: {result['duration']!r} is not an ISO 8601 duration")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions", out)


def _context(ctx: object, path: str, out: list[str]) -> None:
    if not isinstance(ctx, dict):
        out.append(f"{path}: must be an object")
        return
    if "registration" in ctx and not is_uuid(ctx["registration"]):
        out.append(f"{path}.registration: must be a UUID")
    activities = ctx.get("contextActivities", {})
    if not isinstance(activities, dict):
        out.append(f"{path}.contextActivities: must be an object")
    else:
        for kind, items in activities.items():
            if kind not in ("parent", "grouping", "category", "other"):
                out.append(f"{path}.contextActivities: {kind!r} is not a context kind")
            for i, item in enumerate(items if isinstance(items, list) else [items]):
                if not isinstance(item, dict) or not is_iri(item.get("id")):
                    out.append(f"{path}.contextActivities.{kind}[{i}].id: must be an IRI")
    if "extensions" in ctx:
        _extensions(ctx["extensions"], f"{path}.extensions", out)
    if "language" in ctx and not _LANG.match(str(ctx["language"])):
        out.append(f"{path}.language: not a language tag")


def problems(statement: object) -> list[str]:
    """Every xAPI 1.0.3 rule the statement breaks (empty when it is valid)."""
    out: list[str] = []
    if not isinstance(statement, dict):
        return ["statement: must be a JSON object"]
    for key in statement:
        if key not in STATEMENT_KEYS:
            why = ("the LRS sets it" if key in ("stored", "authority", "version")
                   else "not an xAPI statement property")
            out.append(f"{key}: not allowed ({why})")
    for key in ("id", "actor", "verb", "object", "timestamp"):
        if key not in statement:
            out.append(f"{key}: missing")
    if "id" in statement and not is_uuid(statement["id"]):
        out.append("id: must be a UUID in canonical form")
    if "actor" in statement:
        _agent(statement["actor"], "actor", out)
    verb = statement.get("verb")
    verb_id = ""
    if verb is not None:
        if not isinstance(verb, dict) or not is_iri(verb.get("id")):
            out.append("verb.id: must be an IRI")
        else:
            verb_id = str(verb["id"])
            if "display" in verb:
                _lang_map(verb["display"], "verb.display", out)
    if "object" in statement:
        _object(statement["object"], verb_id, "object", out)
    if "result" in statement:
        _result(statement["result"], "result", out)
    if "context" in statement:
        _context(statement["context"], "context", out)
        if isinstance(statement.get("object"), dict) \
                and statement["object"].get("objectType") in ("Agent", "Group") \
                and any(k in statement["context"] for k in ("revision", "platform")):
            out.append("context: revision and platform are for activities only")
    stamp = statement.get("timestamp")
    if stamp is not None and not (isinstance(stamp, str) and _TIMESTAMP.match(stamp)):
        out.append(f"timestamp: {stamp!r} is not an ISO 8601 time with a zone")
    return out


def check(statement: Any) -> dict[str, Any]:
    """The statement when it follows the rules; InvalidStatement listing what it breaks."""
    found = problems(statement)
    if found:
        sid = statement.get("id", "?") if isinstance(statement, dict) else "?"
        raise InvalidStatement(f"statement {sid}: " + "; ".join(found))
    return dict(statement)
