"""Content lint: the quality problems a reviewer flags, as warnings (VP5xx).

The lint runs in `vpkp-tutor validate` (not when the app loads content); `--strict` makes its
warnings errors. Each rule is documented with an example and a fix in docs/authoring.md.

- VP501 near-duplicate stems: each stem is normalised (Unicode NFKC, case folded, markdown
  and punctuation removed, numbers kept) into a set of word tokens; two questions whose sets
  have a Jaccard similarity (shared tokens / all tokens) of at least `NEAR_DUPLICATE` are
  reported, at the later one, naming the earlier one's place. Pairs are found with a prefix
  filter (exact for Jaccard), so a large bank is not compared pair by pair.
- VP502 stale review: in `checks.check_reviewed` (the period is the course's).
- VP503/VP504 references: a structured reference with neither url nor doi; a reference (text
  or url) on a source domain the course warns about.
- VP505–VP509 item-writing flaws, VP510 a never event on a billing/coding decision.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpkp_tutor.content.checks import Located
from vpkp_tutor.content.yamlsource import Document, Path_
from vpkp_tutor.domain.model import (
    LETTERS,
    Case,
    Lesson,
    MultipleResponse,
    Question,
    SingleBest,
)

NEAR_DUPLICATE = 0.7
"""Jaccard similarity of normalised stem tokens at or above which two stems are reported."""

MIN_STEM_TOKENS = 4
"""Stems with fewer distinct tokens are not compared (too short to judge)."""

WARNED_DOMAINS: tuple[str, ...] = (
    # tertiary encyclopaedias and wikis
    "wikipedia.org", "wikiwand.com", "wikidoc.org", "fandom.com",
    # machine-generated summaries and chat answers
    "chatgpt.com", "chat.openai.com", "perplexity.ai", "gemini.google.com",
    "bard.google.com", "copilot.microsoft.com", "you.com", "phind.com",
    # question-and-answer sites
    "quora.com", "answers.com", "reddit.com",
)
"""Source domains the bundled course warns about (a reference to one of them, or to one of
their subdomains, is VP504)."""


@dataclass(frozen=True, slots=True)
class LintSettings:
    """A course's lint settings."""

    review_months: int = 24
    """`last_reviewed` older than this many months is VP502."""
    warned_domains: tuple[str, ...] = WARNED_DOMAINS
    """Source domains a reference should not rest on (VP504)."""


def course_settings(paths: Sequence[Path]) -> LintSettings:
    """The lint settings of the course these content folders belong to.

    Today every course uses the defaults; this is the one place that will read them from
    the course's manifest (its review period and warned source domains) once courses
    declare them."""
    del paths
    return LintSettings()


# -- near-duplicate stems --------------------------------------------------------------------

_MARKUP = re.compile(r"[*_`#>\[\]()|~]")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)?", re.UNICODE)


PLACEHOLDER = "Replace with"
"""How the placeholders of a `new` skeleton begin: such a stem is not compared."""


def stem_tokens(stem: str) -> frozenset[str]:
    """The normalised word tokens of a stem (see the module doc); none for a skeleton's
    placeholder stem."""
    if stem.startswith(PLACEHOLDER):
        return frozenset()
    text = unicodedata.normalize("NFKC", stem).casefold()
    text = _MARKUP.sub(" ", text)
    return frozenset(_WORD.findall(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared tokens over all tokens (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def similar_pairs(
    token_sets: Sequence[frozenset[str]], threshold: float = NEAR_DUPLICATE,
    only: Iterable[int] | None = None,
) -> list[tuple[int, int, float]]:
    """(i, j, similarity) with j < i for every pair at or above `threshold`. With `only`,
    just the pairs involving those indices. A prefix filter over tokens in rarity order
    finds the candidates: two sets reaching the threshold share a token among the first
    |s| − ⌈t·|s|⌉ + 1 tokens of each."""
    freq: dict[str, int] = defaultdict(int)
    for s in token_sets:
        for t in s:
            freq[t] += 1
    ordered = [sorted(s, key=lambda t: (freq[t], t)) for s in token_sets]

    def prefix(i: int) -> list[str]:
        n = len(ordered[i])
        return ordered[i][: n - math.ceil(threshold * n) + 1]

    index: dict[str, list[int]] = defaultdict(list)
    usable = [i for i, s in enumerate(token_sets) if len(s) >= MIN_STEM_TOKENS]
    for i in usable:
        for t in prefix(i):
            index[t].append(i)
    wanted = usable if only is None else [i for i in only if len(token_sets[i]) >= MIN_STEM_TOKENS]
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int, float]] = []
    for i in wanted:
        size = len(token_sets[i])
        for t in prefix(i):
            for j in index[t]:
                if j == i:
                    continue
                pair = (max(i, j), min(i, j))
                if pair in seen:
                    continue
                seen.add(pair)
                other = len(token_sets[j])
                if min(size, other) < threshold * max(size, other):
                    continue
                sim = jaccard(token_sets[i], token_sets[j])
                if sim >= threshold:
                    out.append((*pair, sim))
    out.sort()
    return out


# -- item-writing flaws ----------------------------------------------------------------------

_HOW_MANY = re.compile(
    r"\b(?:select|choose|pick|identify|mark|name)\s+(?:the\s+)?"
    r"(?:two|three|four|five|2|3|4|5)\b"
    r"|\b(?:two|three|four|five|2|3|4|5)\s+(?:correct|true|best)\b",
    re.IGNORECASE,
)
_SELECT_ALL = re.compile(r"\ball\s+that\s+apply\b", re.IGNORECASE)
_ABSOLUTE = re.compile(
    r"\b(?:always|never|only|must|completely|absolutely|entirely|invariably|guaranteed|"
    r"impossible|every)\b", re.IGNORECASE)
_HEDGED = re.compile(
    r"\b(?:usually|often|may|might|can|could|generally|typically|sometimes|frequently|"
    r"commonly|probably|likely|most|some)\b", re.IGNORECASE)
_CODING = re.compile(
    r"\b(?:cpt|icd(?:-10)?(?:-cm|-pcs)?|hcpcs|billing|bill|billed|coding|code|coded|modifier|"
    r"claim|reimbursement|drg)\b", re.IGNORECASE)

UNEQUAL_RATIO = 3.0
"""Options are 'very unequal' when the longest is at least this many times the shortest…"""
UNEQUAL_MIN_GAP = 40
"""…and at least this many characters longer."""


def _question_flaws(x: Located[Question]) -> None:
    q, doc, path = x.item, x.doc, x.path
    if isinstance(q, MultipleResponse) and _HOW_MANY.search(q.stem) and _SELECT_ALL.search(q.stem):
        doc.warning(*doc.where((*path, "stem")),
                    "the stem says how many to pick and also 'select all that apply'; keep "
                    "one", "VP505")
    if not isinstance(q, SingleBest | MultipleResponse):
        return
    keys = {LETTERS.index(q.key)} if isinstance(q, SingleBest) else {
        LETTERS.index(k) for k in q.keys}
    texts = [o.text for o in q.options]
    absolute = [i for i, t in enumerate(texts) if _ABSOLUTE.search(t)]
    if absolute and not keys & set(absolute):
        i = absolute[0]
        word = _ABSOLUTE.search(texts[i])
        doc.warning(*doc.where((*path, "options", i, "text")),
                    f"absolute words ('{word.group(0) if word else ''}') appear only in "
                    "distractors; a test-wise learner rules those out unread", "VP506")
    lengths = [len(t) for t in texts]
    longest, shortest = max(lengths), min(lengths)
    if longest >= UNEQUAL_RATIO * max(shortest, 1) and longest - shortest >= UNEQUAL_MIN_GAP:
        i = lengths.index(longest)
        doc.warning(*doc.where((*path, "options", i, "text")),
                    f"option {LETTERS[i]} is {longest} characters, option "
                    f"{LETTERS[lengths.index(shortest)]} {shortest}; options of very unequal "
                    "length give the answer away", "VP507")
    if isinstance(q, SingleBest):
        if len(texts) < 4:
            doc.warning(*doc.where((*path, "options"), key=True),
                        f"a single best answer question has {len(texts)} options; give it "
                        "at least 4", "VP508")
        hedged = [i for i, t in enumerate(texts) if _HEDGED.search(t)]
        if hedged == sorted(keys) and len(texts) > 2:
            doc.warning(*doc.where((*path, "options", hedged[0], "text")),
                        "the key is the only hedged option (usually, may, often…); hedge a "
                        "distractor too or none", "VP509")


def _case_flaws(x: Located[Case]) -> None:
    case, doc, path = x.item, x.doc, x.path
    raw_nodes = _raw(doc, (*path, "nodes"))
    for i, node in enumerate(case.nodes):
        for j, ch in enumerate(node.choices):
            if not ch.critical:
                continue
            raw = _raw(doc, (*path, "nodes", i, "choices", j))
            if isinstance(raw, dict) and str(raw.get("deliberate", "")).lower() in (
                    "true", "yes", "on"):
                continue
            if _CODING.search(ch.text) or _CODING.search(node.narrative):
                doc.warning(*doc.where((*path, "nodes", i, "choices", j, "critical")),
                            f"choice '{ch.id}' makes a billing or coding decision a never "
                            "event; never events are for patient harm — score it instead, "
                            "or add 'deliberate: true' if it is meant", "VP510")
    del raw_nodes


# -- references ------------------------------------------------------------------------------

_URL_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?=[/\s:)\]]|$)",
                       re.IGNORECASE)


def _warned_host(text: str, domains: Sequence[str]) -> str | None:
    for m in _URL_HOST.finditer(text):
        host = m.group(1).lower()
        for d in domains:
            if host == d or host.endswith("." + d):
                return d
    return None


def _references(doc: Document, path: Path_, settings: LintSettings) -> None:
    refs = _raw(doc, (*path, "references"))
    if not isinstance(refs, list):
        return
    for i, r in enumerate(refs):
        where = doc.where((*path, "references", i))
        if isinstance(r, dict):
            if not r.get("url") and not r.get("doi"):
                doc.warning(*where, f"reference '{r.get('title')}' has neither url nor doi; "
                                    "add one so a reviewer can find it", "VP503")
            text = str(r.get("url") or "")
        elif isinstance(r, str):
            text = r
        else:
            continue
        domain = _warned_host(text, settings.warned_domains)
        if domain is not None:
            doc.warning(*where, f"reference on {domain}, a source this course warns about "
                                "(tertiary or machine-generated); cite the primary source",
                        "VP504")


def _raw(doc: Document, path: Path_) -> Any:
    cur: Any = doc.value
    for part in path:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


# -- the lint --------------------------------------------------------------------------------

def lint(
    lessons: Sequence[Located[Lesson]],
    questions: Sequence[Located[Question]],
    cases: Sequence[Located[Case]],
    settings: LintSettings | None = None,
    only: set[str] | None = None,
) -> None:
    """Record lint warnings on the items' documents. With `only` (file names), lint just
    the items of those files (near-duplicates are still looked for in the whole bank)."""
    settings = settings or LintSettings()

    def mine(x: Located[Any]) -> bool:
        return only is None or x.doc.path in only

    for xl in lessons:
        if mine(xl):
            _references(xl.doc, xl.path, settings)
    for xq in questions:
        if mine(xq):
            _references(xq.doc, xq.path, settings)
            _question_flaws(xq)
    for xc in cases:
        if mine(xc):
            _references(xc.doc, xc.path, settings)
            _case_flaws(xc)
    tokens = [stem_tokens(x.item.stem) for x in questions]
    targets = None if only is None else [i for i, x in enumerate(questions) if mine(x)]
    for i, j, sim in similar_pairs(tokens, only=targets):
        a, b = questions[j], questions[i]
        line, _ = a.doc.where((*a.path, "stem"))
        b.doc.warning(*b.doc.where((*b.path, "stem")),
                      f"stem of '{b.item.id}' is {sim:.0%} like that of '{a.item.id}' "
                      f"({a.doc.path}:{line}); merge them or make them test different things",
                      "VP501")
