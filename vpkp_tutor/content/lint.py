"""Content lint: the quality problems a reviewer flags, as warnings (VP5xx).

The lint runs in `vpkp-tutor validate` (not when the app loads content); `--strict` makes its
warnings errors. Each rule is documented with an example and a fix in docs/authoring.md.

- VP501 near-duplicate stems: each stem is normalised (Unicode NFKC, case folded, markdown
  and punctuation removed, numbers kept) into words, and the set of its pairs of neighbouring
  words is taken; two questions whose sets have a Jaccard similarity (shared pairs / all
  pairs) of at least `NEAR_DUPLICATE` are reported, at the later one, naming the earlier
  one's place. Candidate pairs are found by MinHash (see `similar_pairs`), so a large bank is
  not compared pair by pair.
- VP502 stale review: in `checks.check_reviewed` (the period is the course's
  `lint.review_period_months`).
- VP503/VP504 references: a structured reference with neither url nor doi; a reference (text
  or url) on a source domain the course warns about (its `lint.warned_source_domains`).

The course's settings come from its manifest's `lint:` block (`course.lint_settings`).
- VP505–VP509 item-writing flaws, VP510 a never event on a billing/coding decision.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from vpkp_tutor.content.checks import Located
from vpkp_tutor.content.yamlsource import Document, Path_
from vpkp_tutor.domain.model import (
    LETTERS,
    Case,
    Lesson,
    LintSettings,
    MultipleResponse,
    Question,
    SingleBest,
)

NEAR_DUPLICATE = 0.7
"""Jaccard similarity of normalised stem tokens at or above which two stems are reported."""

MIN_STEM_TOKENS = 4
"""Stems with fewer distinct tokens are not compared (too short to judge)."""

# -- near-duplicate stems --------------------------------------------------------------------

_MARKUP = re.compile(r"[*_`#>\[\]()|~]")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)?", re.UNICODE)


PLACEHOLDER = "Replace with"
"""How the placeholders of a `new` skeleton begin: such a stem is not compared."""


def stem_words(stem: str) -> list[str]:
    """The normalised words of a stem, in order (see the module doc)."""
    text = unicodedata.normalize("NFKC", stem).casefold()
    text = _MARKUP.sub(" ", text)
    return _WORD.findall(text)


@functools.lru_cache(maxsize=1 << 16)
def stem_tokens(stem: str) -> frozenset[str]:
    """The shingles compared for near-duplicates: each pair of neighbouring normalised
    words (so two stems drawn from the same vocabulary in another order do not match); none
    for a skeleton's placeholder stem."""
    if stem.startswith(PLACEHOLDER):
        return frozenset()
    words = stem_words(stem)
    return frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared tokens over all tokens (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


BANDS, ROWS = 8, 3
"""MinHash bands and rows per band used to find candidate pairs (see `similar_pairs`)."""

_PRIME = (1 << 61) - 1
_SALTS = [((i * 0x9E3779B1 + 0x7F4A7C15) % _PRIME or 1, (i * 0x85EBCA77 + 0xC2B2AE3D) % _PRIME)
          for i in range(1, BANDS * ROWS + 1)]


@functools.lru_cache(maxsize=1 << 16)
def _signature(tokens: frozenset[str]) -> tuple[int, ...]:
    """BANDS×ROWS MinHash values of a token set (deterministic: crc32 of each token, then
    one linear hash per row)."""
    hashes = [zlib.crc32(t.encode("utf-8")) for t in tokens]
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _SALTS)


def similar_pairs(
    token_sets: Sequence[frozenset[str]], threshold: float = NEAR_DUPLICATE,
) -> list[tuple[int, int, float]]:
    """(i, j, similarity) with j < i for every pair found at or above `threshold`.

    Candidates come from MinHash locality-sensitive hashing (8 bands of 3 rows): two sets
    become candidates when all 3 MinHash values of some band agree, which for a Jaccard
    similarity J happens with probability 1 − (1 − J³)⁸ — 96 % at J = 0.7, 99.8 % at 0.8,
    under 0.1 % at 0.05 — so a large bank is not compared pair by pair. Each candidate's
    exact Jaccard similarity is then computed: nothing below the threshold is reported."""
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for i, s in enumerate(token_sets):
        if len(s) < MIN_STEM_TOKENS:
            continue
        sig = _signature(s)
        for band in range(BANDS):
            buckets[(band, sig[band * ROWS:(band + 1) * ROWS])].append(i)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int, float]] = []
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x, i in enumerate(members):
            for j in members[:x]:
                pair = (max(i, j), min(i, j))
                if pair in seen:
                    continue
                seen.add(pair)
                sim = jaccard(token_sets[i], token_sets[j])
                if sim >= threshold:
                    out.append((*pair, sim))
    out.sort()
    return out


class NearDuplicates:
    """The near-duplicate pairs of a bank, kept between re-checks (`validate --watch`).

    It holds each distinct token set in the bank (with how many questions have it), the
    MinHash buckets of those sets, and for each set the other sets that share a bucket with
    it and are at least `threshold` alike. Given the bank again after an edit, only the sets
    that appeared are hashed and compared, and those that disappeared are dropped, so a
    re-check after editing one file costs a few dictionary look-ups per question instead of
    the whole bank's comparisons. `pairs` returns what `similar_pairs` returns for the same
    sets: a pair of questions is reported when their sets share a bucket and are alike
    enough, which depends on the two sets only."""

    def __init__(self, threshold: float = NEAR_DUPLICATE) -> None:
        self.threshold = threshold
        self._count: dict[frozenset[str], int] = {}
        self._buckets: dict[tuple[int, tuple[int, ...]], set[frozenset[str]]] = {}
        self._near: dict[frozenset[str], dict[frozenset[str], float]] = {}

    def _bands(self, s: frozenset[str]) -> list[tuple[int, tuple[int, ...]]]:
        sig = _signature(s)
        return [(band, sig[band * ROWS:(band + 1) * ROWS]) for band in range(BANDS)]

    def _drop(self, s: frozenset[str]) -> None:
        for key in self._bands(s):
            members = self._buckets[key]
            members.discard(s)
            if not members:
                del self._buckets[key]
        for t in self._near.pop(s):
            del self._near[t][s]

    def _add(self, s: frozenset[str]) -> None:
        keys = self._bands(s)
        candidates: set[frozenset[str]] = set()
        for key in keys:
            candidates.update(self._buckets.get(key, ()))
        near: dict[frozenset[str], float] = {}
        for t in candidates:
            sim = jaccard(s, t)
            if sim >= self.threshold:
                near[t] = sim
                self._near[t][s] = sim
        self._near[s] = near
        for key in keys:
            self._buckets.setdefault(key, set()).add(s)

    def pairs(self, token_sets: Sequence[frozenset[str]]) -> list[tuple[int, int, float]]:
        """(i, j, similarity) with j < i for every pair at or above the threshold, as
        `similar_pairs(token_sets, threshold)`; the sets are remembered for the next call."""
        positions: dict[frozenset[str], list[int]] = {}
        for i, s in enumerate(token_sets):
            if len(s) >= MIN_STEM_TOKENS:
                positions.setdefault(s, []).append(i)
        for s in [s for s in self._count if s not in positions]:
            self._drop(s)
        self._count = {s: len(at) for s, at in positions.items()}
        for s in positions:
            if s not in self._near:
                self._add(s)
        out: list[tuple[int, int, float]] = []
        near = self._near
        for s, at in positions.items():
            if len(at) > 1:  # identical sets: always in the same buckets
                out.extend((i, j, 1.0) for x, i in enumerate(at) for j in at[:x])
            if near[s]:
                out.extend((i, j, sim) for t, sim in near[s].items()
                           for i in at for j in positions[t] if j < i)
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
        domain = _warned_host(text, settings.warned_source_domains)
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
    near: NearDuplicates | None = None,
) -> None:
    """Record lint warnings on the items' documents: each item's own (`lint_items`), then
    the near-duplicate stems across all the questions given (`near_duplicates`)."""
    lint_items(lessons, questions, cases, settings)
    near_duplicates(questions, near)


def lint_items(
    lessons: Sequence[Located[Lesson]],
    questions: Sequence[Located[Question]],
    cases: Sequence[Located[Case]],
    settings: LintSettings | None = None,
) -> None:
    """Record each item's own warnings (references, item-writing flaws) on its document, in
    the order of the items: they depend on the item and the course's settings only."""
    settings = settings or LintSettings()
    for xl in lessons:
        _references(xl.doc, xl.path, settings)
    for xq in questions:
        _references(xq.doc, xq.path, settings)
        _question_flaws(xq)
    for xc in cases:
        _references(xc.doc, xc.path, settings)
        _case_flaws(xc)


def near_duplicates(
    questions: Sequence[Located[Question]], near: NearDuplicates | None = None,
) -> None:
    """Record a VP501 warning at the later question of each near-duplicate pair. With
    `near` (kept from the last check of the same bank), only what changed is compared."""
    tokens = [stem_tokens(x.item.stem) for x in questions]
    found = similar_pairs(tokens) if near is None else near.pairs(tokens)
    for i, j, sim in found:
        a, b = questions[j], questions[i]
        line, _ = a.doc.where((*a.path, "stem"))
        b.doc.warning(*b.doc.where((*b.path, "stem")),
                      f"stem of '{b.item.id}' is {sim:.0%} like that of '{a.item.id}' "
                      f"({a.doc.path}:{line}); merge them or make them test different things",
                      "VP501")
