"""Turn pydantic validation errors into located, plain-language content problems."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from vpkp_tutor.content.schema import ID_PATTERN, LETTER_PATTERN
from vpkp_tutor.content.yamlsource import Document, Path_


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix when a close match exists, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/list/Annotated/Union wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    if origin in (list, tuple):
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [t for t in _unwrap(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed in the mapping that `loc` (a pydantic error location) sits in."""
    current: list[type[BaseModel]] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for m in current:
            if part in m.model_fields:
                nxt.extend(_models_in(m.model_fields[part].annotation))
        if not nxt:  # a discriminator tag: keep the union member whose type matches
            tagged = [
                m for m in current
                if "type" in m.model_fields
                and typing.get_args(m.model_fields["type"].annotation) == (part,)
            ]
            if tagged:
                current = tagged
                continue
            break
        current = nxt
    names: list[str] = []
    for m in current:
        names.extend(n for n in m.model_fields if n not in names)
    return names


def _resolve(doc: Document, loc: tuple[str | int, ...]) -> tuple[Path_, list[str | int]]:
    """Follow `loc` through the document; return the deepest real path and the rest."""
    cur: Any = doc.value
    path: list[str | int] = []
    rest: list[str | int] = []
    for part in loc:
        if rest:
            rest.append(part)
        elif _has(cur, part):
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and _is_tag(cur, part):
            continue
        else:
            rest.append(part)
    return tuple(path), rest


def _has(container: Any, part: str | int) -> bool:
    """True when `part` is a key of a mapping or an index of a list."""
    if isinstance(container, dict):
        return isinstance(part, str) and part in container
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return False


def _is_tag(mapping: dict[str, Any], part: str) -> bool:
    return mapping.get("type") == part


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"


def report_validation_error(
    doc: Document,
    model: type[BaseModel],
    exc: ValidationError,
    prefix: tuple[str | int, ...] = (),
) -> None:
    """Record one located problem per pydantic error; `prefix` is the location of the
    validated value inside `model`'s document."""
    errors = exc.errors(include_url=False)
    # A misspelt field is one mistake, not two: when an unknown key's suggestion is a missing
    # field of the same mapping, report only the unknown key (with its suggestion).
    misspelt: set[tuple[str | int, ...]] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = (*prefix, *err["loc"])
            match = difflib.get_close_matches(
                str(loc[-1]), fields_at(model, loc[:-1]), n=1, cutoff=0.6
            )
            if match:
                misspelt.add((*loc[:-1], match[0]))
    for err in errors:
        loc = (*prefix, *err["loc"])
        if err["type"] == "missing" and loc in misspelt:
            continue
        path, rest = _resolve(doc, loc)
        if not rest and path in doc.reported:
            continue  # its value was dropped with a problem of its own
        kind = err["type"]
        ctx = err.get("ctx") or {}
        given = err.get("input")
        field = next((p for p in reversed(loc) if isinstance(p, str)), "value")
        at_key = False
        if kind == "missing":
            code = "VP203"
            message = f"missing required field '{rest[-1] if rest else field}'"
        elif kind == "union_tag_not_found":
            code = "VP203"
            message = "missing required field 'type'"
        elif kind == "extra_forbidden":
            code = "VP204"
            allowed = fields_at(model, loc[:-1])
            message = f"unknown field '{loc[-1]}'{did_you_mean(str(loc[-1]), allowed)}"
            at_key = True
        elif kind == "union_tag_invalid":
            code = "VP206"
            expected = ctx.get("expected_tags", "")
            tags = [t.strip().strip("'") for t in str(expected).split(",")]
            tag = str(ctx.get("tag", given))
            message = (
                f"'{tag}' is not a question type; expected one of {expected}"
                f"{did_you_mean(tag, tags)}"
            )
            path = (*path, "type") if isinstance(doc_value(doc, path), dict) else path
        elif kind in ("enum", "literal_error"):
            code = "VP206"
            expected = str(ctx.get("expected", ""))
            words = [w.strip().strip("'") for w in expected.replace(" or ", ",").split(",")]
            message = (
                f"{_describe(given)} is not a valid {field}; expected {expected}"
                f"{did_you_mean(str(given), words)}"
            )
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            code = "VP205"
            message = f"expected a whole number, got {_describe(given)}"
        elif kind in ("float_parsing", "float_type"):
            code = "VP205"
            message = f"expected a number, got {_describe(given)}"
        elif kind == "finite_number":
            code = "VP205"
            message = "expected a finite number"
        elif kind in ("date_parsing", "date_from_datetime_parsing", "date_type",
                      "date_from_datetime_inexact"):
            code = "VP205"
            message = f"expected a date like 2026-11-20, got {_describe(given)}"
        elif kind == "string_type":
            code = "VP205"
            message = f"expected text, got {_describe(given)}"
            if isinstance(given, dict):
                message += " (if the text contains ': ', put it in quotes)"
        elif kind == "string_too_long":
            code = "VP207"
            limit = ctx.get("max_length")
            length = len(given) if isinstance(given, str) else 0
            message = (f"'{field}' is {length:,} characters long; the limit is {limit:,} — "
                       "split it or shorten it")
        elif kind == "content_limit":
            code = "VP207"
            message = f"'{field}' {err['msg']}"
        elif kind == "yaml_bool":
            code = "VP205"
            message = str(err["msg"])
        elif kind == "string_too_short":
            code = "VP207"
            message = f"'{field}' must not be empty"
        elif kind == "string_pattern_mismatch":
            code = "VP206"
            pattern = ctx.get("pattern")
            if pattern == ID_PATTERN:
                message = (
                    f"{_describe(given)} is not a valid id: use lowercase letters, digits, "
                    "'.', '-' and '_', starting with a letter"
                )
            elif pattern == LETTER_PATTERN:
                message = f"{_describe(given)} is not an option letter (A, B, C…)"
            else:
                message = f"{_describe(given)} does not match {pattern}"
        elif kind == "too_short":
            code = "VP207"
            n = ctx.get("min_length", 1)
            message = f"'{field}' needs at least {n} item{'s' if n != 1 else ''}"
        elif kind == "too_long":
            code = "VP207"
            message = f"'{field}' allows at most {ctx.get('max_length')} items"
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            code = "VP207"
            bound = {"greater_than_equal": "at least", "less_than_equal": "at most",
                     "greater_than": "more than", "less_than": "less than"}[kind]
            limit = next(iter(ctx.values()), "")
            if isinstance(limit, float) and limit.is_integer():
                limit = int(limit)
            message = f"'{field}' must be {bound} {limit}, got {_describe(given)}"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            code = "VP205"
            message = f"expected a mapping of fields, got {_describe(given)}"
        elif kind == "list_type":
            code = "VP205"
            message = (
                f"expected a list, got {_describe(given)} "
                "(write items on '- ' lines or as [a, b])"
            )
        elif kind in ("bool_type", "bool_parsing"):
            code = "VP205"
            message = f"expected true or false, got {_describe(given)}"
        else:
            code = "VP299"
            message = str(err["msg"])
        line, col = doc.where(path, key=at_key)
        doc.error(line, col, message, code)


def doc_value(doc: Document, path: Path_) -> Any:
    """The value at a path of the document (None when absent)."""
    cur: Any = doc.value
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur
