"""A re-check (`validate --watch`, the preview's reload) gives what a full check of the same
files gives, problem for problem, over many edits, deletions and additions — while reading
again only what changed."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from vpkp_tutor.content import recheck
from vpkp_tutor.content.lint import NearDuplicates, similar_pairs, stem_tokens
from vpkp_tutor.content.loader import Checker, Validation, validate_paths
from vpkp_tutor.content.scaffold import write_new
from vpkp_tutor.services.preview import PreviewLoader

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "courses" / "stats"
TODAY = dt.date(2026, 12, 1)

WORDS = ("mean median mode sample trial variance spread outlier coin toss heads tails "
         "probability event outcome estimate interval error bias random fair").split()

QUESTION = """\
  - id: {id}
    type: single_best
    topic: {topic}
    objectives: [{objective}]
    difficulty: easy
    last_reviewed: 2026-11-01
    stem: {stem}
    options:
      - {{text: "{a}", explanation: Not this one.}}
      - {{text: "{b}", explanation: Nor this.}}
      - {{text: "{c}", explanation: This one.}}
      - {{text: "{d}", explanation: Not this either.}}
    key: C
    explanation: Because the sample says so.
    references:
      - {{title: A statistics text, year: 2024, kind: textbook{link}}}
"""


def _stem(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + "?"


def _questions(rng: random.Random, prefix: str, n: int) -> str:
    out = ["kind: questions\nquestions:\n"]
    for i in range(n):
        topic, objective = rng.choice([("descriptive", "stats.mean"),
                                       ("probability", "stats.coin")])
        out.append(QUESTION.format(
            id=f"{prefix}-{i}", topic=topic, objective=objective, stem=_stem(rng),
            a=rng.choice(WORDS), b=rng.choice(WORDS) + " value", c="the " + rng.choice(WORDS),
            d=rng.choice(WORDS).upper(),
            link=", url: https://example.org/s" if rng.random() < 0.5 else ""))
    return "".join(out)


class Course:
    """A test course and the edits an educator makes to it, each with a new file time (as a
    save a moment later has)."""

    def __init__(self, root: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.root = root
        shutil.copytree(COURSE, root)
        bank = root / "question_bank"
        for k in range(4):
            (bank / f"q{k}.yaml").write_text(_questions(self.rng, f"g{k}", 6), encoding="utf-8")
        # two near-duplicate stems across files, one exact duplicate within a file
        self._edit(bank / "q1.yaml", lambda t: self._set_stem(t, 0, self._stems(bank / "q0.yaml")[0]))
        self._edit(bank / "q2.yaml", lambda t: self._set_stem(t, 3, self._stems(bank / "q2.yaml")[1]))
        write_new("case", bank / "case.yaml", topic="probability", today=TODAY)
        write_new("question", bank / "short.yaml", qtype="short_answer", topic="descriptive",
                  today=TODAY)
        self.tick = 0
        self.original = {p: p.read_bytes() for p in self.files()}
        for p in self.files():
            self._touch(p)

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*.yaml") if p.name != "course.yaml")

    def _touch(self, path: Path) -> None:
        self.tick += 1
        ns = 1_700_000_000_000_000_000 + self.tick * 1_000_000_000
        os.utime(path, ns=(ns, ns))

    def _edit(self, path: Path, change: Callable[[str], str]) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        if hasattr(self, "tick"):
            self._touch(path)

    @staticmethod
    def _stems(path: Path) -> list[str]:
        return re.findall(r"^    stem: (.*)$", path.read_text(encoding="utf-8"), re.M)

    @staticmethod
    def _set_stem(text: str, i: int, stem: str) -> str:
        lines = text.split("\n")
        at = [n for n, line in enumerate(lines) if line.startswith("    stem: ")]
        if at:
            lines[at[i % len(at)]] = "    stem: " + stem
        return "\n".join(lines)

    def _question_file(self) -> Path | None:
        found = [p for p in self.files() if p.parent.name == "question_bank"
                 and p.read_text(encoding="utf-8").count("    stem: ") > 0]
        return self.rng.choice(found) if found else None

    # -- the edits ------------------------------------------------------------------------

    def edit_stem(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"
        word = self.rng.choice(WORDS)
        i = self.rng.randrange(6)
        self._edit(f, lambda t: self._set_stem(t, i, f"{word} {self._stems(f)[i % len(self._stems(f))]}"))
        return f"stem {i} of {f.name} edited"

    def same_size_edit(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"

        def swap(t: str) -> str:
            at = t.index("    stem: ") + len("    stem: ")
            return t[:at] + t[at + 1] + t[at] + t[at + 2:]
        self._edit(f, swap)
        return f"two letters of {f.name} swapped"

    def copy_stem(self) -> str:
        a, b = self._question_file(), self._question_file()
        if a is None or b is None:
            return "no question file"
        stem = self.rng.choice(self._stems(a))
        i = self.rng.randrange(6)
        self._edit(b, lambda t: self._set_stem(t, i, stem + self.rng.choice(["", " Why"])))
        return f"a stem of {a.name} copied into {b.name}"

    def break_item(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"
        self._edit(f, lambda t: t.replace("difficulty: easy", "difficulty: eazy",
                                          self.rng.choice([1, 2])))
        return f"a difficulty in {f.name} misspelt"

    def bad_objective(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"
        self._edit(f, lambda t: t.replace("objectives: [stats.coin]", "objectives: [stats.con]", 1))
        return f"an objective in {f.name} misspelt"

    def duplicate_key(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"
        self._edit(f, lambda t: t.replace("    key: C\n", "    key: C\n    key: B\n", 1))
        return f"a duplicate key in {f.name}"

    def syntax_error(self) -> str:
        f = self.rng.choice(self.files())
        self._edit(f, lambda t: t + "\n  : : [unclosed\n")
        return f"{f.name} no longer parses"

    def absolute_word(self) -> str:
        if (f := self._question_file()) is None:
            return "no question file"
        self._edit(f, lambda t: t.replace('- {text: "', '- {text: "always ', 1))
        return f"an absolute word in {f.name}"

    def lesson_check(self) -> str:
        f = self.root / "lessons" / "probability.yaml"
        if not f.exists():
            return "no lesson"
        qid = self.rng.choice(["g0-0", "g0-1", "g1-0", "g2-1", "stats-q1", "nowhere-1"])
        self._edit(f, lambda t: t.rstrip("\n") + f"\n    checks: [{qid}]\n"
                   if "checks:" not in t else re.sub(r"checks: \[.*\]", f"checks: [{qid}]", t))
        return f"the probability lesson checks {qid}"

    def case_link(self) -> str:
        f = self.root / "question_bank" / "case.yaml"
        if not f.exists():
            return "no case"
        self._edit(f, lambda t: t.replace("next: ", "next: x", 1))
        return "a case choice leads nowhere"

    def delete_file(self) -> str:
        files = self.files()
        if len(files) < 3:
            return "too few files to delete one"
        f = self.rng.choice(files)
        f.unlink()
        return f"{f.relative_to(self.root)} deleted"

    def rename_id(self) -> str:
        """A question renamed; when it is one left out for an error, only what was left out
        changes (a lesson's check of it goes from "not checked" to an error)."""
        if (f := self._question_file()) is None:
            return "no question file"
        ids = re.findall(r"^  - id: (\S+)$", f.read_text(encoding="utf-8"), re.M)
        old = self.rng.choice(ids[:2])
        self._edit(f, lambda t: t.replace(f"  - id: {old}\n", f"  - id: {old}x\n", 1))
        return f"{old} in {f.name} renamed"

    def delete_lesson(self) -> str:
        """Its objective's questions in every other file are left out (their warnings go)."""
        f = self.root / "lessons" / self.rng.choice(["probability.yaml", "descriptive.yaml"])
        f.unlink(missing_ok=True)
        return f"{f.name} deleted"

    def add_file(self) -> str:
        k = self.rng.randrange(5, 8)
        f = self.root / "question_bank" / f"new{k}.yaml"
        text = _questions(self.rng, self.rng.choice([f"n{k}", "g0"]), 3)  # g0: duplicate ids
        f.write_text(text, encoding="utf-8")
        self._touch(f)
        return f"{f.name} written"

    def restore(self) -> str:
        f = self.rng.choice(sorted(self.original))
        f.write_bytes(self.original[f])
        self._touch(f)
        return f"{f.relative_to(self.root)} restored"

    def manifest(self) -> str:
        f = self.root / "course.yaml"
        months = self.rng.choice(["12", "1", "24"])
        self._edit(f, lambda t: re.sub(r"review_period_months: \d+",
                                       f"review_period_months: {months}", t))
        return f"review period {months} months"

    EDITS = ("edit_stem", "same_size_edit", "copy_stem", "copy_stem", "break_item",
             "bad_objective", "rename_id", "rename_id", "duplicate_key", "syntax_error", "absolute_word", "lesson_check",
             "case_link", "delete_file", "delete_lesson", "add_file", "add_file", "restore", "restore",
             "restore", "manifest")

    def random_edit(self) -> str:
        done = [getattr(self, self.rng.choice(self.EDITS))()
                for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]
        return "; ".join(done)


def _lines(result: Validation) -> list[str]:
    return [f"{p} [{p.code}]" for p in result.problems]


@pytest.mark.parametrize("trust_times", [False, True], ids=["bytes-compared", "stat-trusted"])
@pytest.mark.parametrize("seed", [1, *(pytest.param(  # two more edit sequences in `make soak`
    seed, marks=[pytest.mark.soak, pytest.mark.skipif(not os.environ.get("VPKP_SOAK"),
                                                      reason="soak: run `make soak`")])
    for seed in (2, 3))])
def test_every_recheck_equals_a_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, trust_times: bool,
) -> None:
    if trust_times:  # files count as unchanged by their times alone (each edit sets a new one)
        monkeypatch.setattr(recheck, "RACY_SECONDS", -1e9)
    course = Course(tmp_path / "stats", seed)
    targets = {
        "course": [course.root],
        "bank": [course.root / "question_bank"],
        "bank, no lint": [course.root / "question_bank"],
    }
    checkers = {name: Checker(t, lint=name != "bank, no lint") for name, t in targets.items()}
    preview = PreviewLoader(course.root / "lessons" / "descriptive.yaml", None)
    warnings = errors = 0
    for step in range(25):
        what = "first check" if step == 0 else course.random_edit()
        for name, checker in checkers.items():
            warm = checker.check(TODAY)
            cold = validate_paths(targets[name], TODAY, lint=name != "bank, no lint")
            assert _lines(warm) == _lines(cold), f"step {step} ({what}), {name}"
            assert warm == cold, f"step {step} ({what}), {name}"
            warnings += warm.warnings
            errors += warm.errors
        warm_state = preview.load()
        cold_state = PreviewLoader(preview.file, None).load()
        assert warm_state == cold_state, f"step {step} ({what}), preview"
    # the edits made problems of every kind for the re-checks to get right
    assert warnings and errors


def test_a_recheck_reads_only_the_changed_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    course = Course(tmp_path / "stats", 7)
    checker = Checker([course.root], lint=True)
    checker.check(TODAY)
    monkeypatch.setattr(recheck, "RACY_SECONDS", -1e9)  # every file was saved long ago
    read: list[str] = []
    from vpkp_tutor.content import yamlsource

    real = yamlsource.read_document

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        read.append(Path(path).name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsource, "read_document", counting)
    monkeypatch.setattr("vpkp_tutor.content.loader.read_document", counting)
    checker.check(TODAY)
    assert [name for name in read if name != "course.yaml"] == []
    course.edit_stem()
    changed = [p.name for p in course.files() if p.read_bytes() != course.original[p]]
    checker.check(TODAY)
    assert sorted({name for name in read if name != "course.yaml"}) == changed


def test_a_file_saved_within_a_tick_of_its_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A save that leaves the file's times and size as they were (it came within the same
    tick of the file system's clock as the last read) is still seen, unless the file had
    been changed long before that read."""
    course = Course(tmp_path / "stats", 5)
    target = course.root / "question_bank" / "q0.yaml"
    monkeypatch.setattr(recheck, "stat_key", lambda st: (1, 2, 3, 4, 5))  # never changes
    for saved_long_before, seen in ((False, True), (True, False)):
        monkeypatch.setattr(recheck, "RACY_SECONDS", -1e9 if saved_long_before else 2.0)
        monkeypatch.setattr(recheck, "_now", lambda: 5 + 10**9)  # 1 s after the "ctime"
        checker = Checker([target], lint=False)
        assert checker.check(TODAY).errors == 0
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace("key: C", "key: Q", 1), encoding="utf-8")
        assert (checker.check(TODAY).errors > 0) is seen
        target.write_text(text, encoding="utf-8")


def test_near_duplicates_kept_between_checks_match_a_fresh_search() -> None:
    rng = random.Random(4)
    stems = [_stem(rng) for _ in range(300)]
    index = NearDuplicates()
    found_some = False
    for _ in range(40):
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(stems))
            change = rng.random()
            if change < 0.3:
                stems[i] = rng.choice(stems)  # an exact copy
            elif change < 0.6:
                stems[i] = rng.choice(stems) + " " + rng.choice(WORDS)  # a near copy
            elif change < 0.8:
                stems[i] = _stem(rng)
            elif change < 0.9:
                del stems[i]
            else:
                stems.insert(i, _stem(rng))
        tokens = [stem_tokens(s) for s in stems]
        assert index.pairs(tokens) == similar_pairs(tokens)
        found_some = found_some or bool(similar_pairs(tokens))
    assert found_some


def test_renaming_a_question_left_out_for_an_error_is_seen_by_the_links_into_it(
    tmp_path: Path,
) -> None:
    """Only what was left out changes (the question passes no schema before or after): a
    lesson's check of it goes from "not checked" (VP404) to an error (VP402)."""
    course = Course(tmp_path / "stats", 11)
    lesson = course.root / "lessons" / "probability.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "    checks: [g0-0]\n",
                      encoding="utf-8")
    bank = course.root / "question_bank" / "q0.yaml"
    text = bank.read_text(encoding="utf-8").replace("difficulty: easy", "difficulty: eazy", 1)
    bank.write_text(text, encoding="utf-8")
    checker = Checker([course.root])
    codes = [p.code for p in checker.check(TODAY).problems]
    assert "VP404" in codes and "VP402" not in codes
    bank.write_text(text.replace("  - id: g0-0\n", "  - id: g0-0x\n"), encoding="utf-8")
    warm = checker.check(TODAY)
    assert warm == validate_paths([course.root], TODAY)
    assert "VP402" in [p.code for p in warm.problems]
