"""The stable code of every kind of content problem.

Each problem the validator or the lint reports carries one of these codes (`VP101`) and its
name (`duplicate-key`). Codes never change meaning; a retired code is not reused. Every code
is documented in docs/authoring.md with an example and a fix (a test keeps the two equal).

- VP0xx: the file cannot be read as YAML at all;
- VP1xx: the YAML is read, but part of it cannot be used;
- VP2xx: the schema (fields, types, values);
- VP3xx: rules within one item (keys, options, case graphs, dates);
- VP4xx: references between items and files;
- VP5xx: content lint (warnings; `validate --strict` makes them errors).
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    # code: (name, one-line summary)
    "VP001": ("unreadable-file", "the file cannot be read, is not a regular file or is too large"),
    "VP002": ("bad-encoding", "the file is not UTF-8"),
    "VP003": ("empty-file", "the file holds nothing"),
    "VP004": ("yaml-syntax", "the YAML cannot be parsed"),
    "VP005": ("multiple-documents", "more than one YAML document in a file"),
    "VP006": ("control-character", "a control character the YAML reader refuses"),
    "VP007": ("too-many-problems", "more problems in the file than are shown"),
    "VP008": ("skipped-path", "a file or folder found while looking for content cannot be used"),
    "VP101": ("duplicate-key", "a key appears twice in one mapping"),
    "VP102": ("non-text-key", "a mapping key that is not plain text"),
    "VP103": ("alias", "a YAML alias (*name)"),
    "VP104": ("too-deep", "nesting deeper than the limit"),
    "VP105": ("unsafe-text", "control characters or terminal escapes removed from text"),
    "VP201": ("not-a-content-file", "the file is not a mapping starting with 'kind:'"),
    "VP202": ("unknown-kind", "'kind' is missing or not lesson, questions or case"),
    "VP203": ("missing-field", "a required field is missing"),
    "VP204": ("unknown-field", "a field the schema does not know (often a typo)"),
    "VP205": ("wrong-type", "a value of the wrong type (text, number, list, mapping, date…)"),
    "VP206": ("invalid-value", "a value outside the allowed set (a type, an id, a letter…)"),
    "VP207": ("out-of-range", "a value, text or list too small, too large or empty"),
    "VP299": ("schema-other", "another schema problem"),
    "VP301": ("key-not-an-option", "an answer key names no option"),
    "VP302": ("repeated-option", "two options, keys, pairs or distractors look the same"),
    "VP303": ("true-false-shape", "a true_false question's options are not 'True', 'False'"),
    "VP304": ("case-graph", "a case node or choice that cannot work (dead end, bad link…)"),
    "VP305": ("case-scoring-loop", "a loop in a case on which a choice could score again"),
    "VP306": ("expert-path", "the expert path does not walk the case to an end"),
    "VP307": ("duplicate-local-id", "an id used twice inside one item"),
    "VP308": ("future-review-date", "last_reviewed is in the future"),
    "VP401": ("duplicate-id", "an id already used by another item"),
    "VP402": ("unknown-reference", "a reference to an objective or question that does not exist"),
    "VP403": ("untested-objective", "an objective no question or case tests"),
    "VP404": ("not-checked", "links into a file with errors, not checked"),
    "VP501": ("near-duplicate-stem", "two questions whose stems are nearly the same"),
    "VP502": ("stale-review", "last_reviewed older than the course's review period"),
    "VP503": ("reference-without-link", "a structured reference with neither url nor doi"),
    "VP504": ("warned-source", "a reference to a source domain the course warns about"),
    "VP505": ("count-and-select-all", "a multiple-response stem says how many AND 'select all'"),
    "VP506": ("absolute-distractors", "absolute words (always, never…) only in distractors"),
    "VP507": ("unequal-options", "option lengths very unequal"),
    "VP508": ("few-options", "a single best answer question with fewer than 4 options"),
    "VP509": ("hedged-key", "the key is the only hedged option (usually, may…)"),
    "VP510": ("never-event-on-coding", "a case's never event sits on a billing/coding choice"),
    "VP511": ("same-topic-heading", "two topics of a course share a short heading"),
}
"""Every code: (name, summary)."""

LINT_CODES = frozenset(c for c in CODES if c.startswith("VP5"))
"""The lint's codes (warnings that `--strict` makes errors)."""


def name_of(code: str) -> str:
    """The name of a code (`duplicate-key`), or '' for an unknown one."""
    return CODES.get(code, ("", ""))[0]
