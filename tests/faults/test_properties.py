"""Property-based tests (hypothesis): scoring never fails and stays within its bounds for any
answer of any shape to any question; exports never fail for any names and answers, every
CSV parses back with no formula cell, and the JSON is standard JSON that reads back exactly.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.csvcheck import assert_safe, shown
from tests.services.tinybank import FakeClock, tiny_bank
from vpkp_tutor.domain.model import (
    LETTERS,
    QUESTION_CLASSES,
    Difficulty,
    DrillGeometry,
    MatchPair,
    Option,
    Question,
    QuestionType,
)
from vpkp_tutor.domain.progress import Learner, QuizMode, QuizSettings
from vpkp_tutor.domain.scoring import score, score_case_run
from vpkp_tutor.export.csv_export import summary_path
from vpkp_tutor.export.csv_safe import unneutralise
from vpkp_tutor.export.json_export import read_export
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store

# -- scoring ---------------------------------------------------------------------------------

short_text = st.text(max_size=6)
atoms = st.one_of(st.none(), short_text, st.sampled_from(LETTERS), st.integers(-3, 12),
                  st.integers(), st.booleans(), st.floats())
drill_tokens = st.one_of(
    st.builds(lambda x, y: f"E{x},{y}", st.integers(-60, 60), st.integers(-40, 40)),
    st.builds(lambda a, b, d: f"{a},{b},{d}", st.integers(-45, 45), st.integers(-45, 45),
              st.integers(-2, 130)),
    st.just("F"),
)
"""Needle-drill paths: contact points, needle states (some out of range) and `F`."""
answers = st.one_of(
    st.none(), short_text, st.sampled_from(LETTERS), st.floats(), st.integers(), st.booleans(),
    st.lists(atoms, max_size=10).map(tuple),
    st.permutations(list(range(5))).map(tuple),
    st.lists(drill_tokens, max_size=30).map(" ".join),
)
"""Every answer shape there is (and some there should not be)."""


@st.composite
def questions(draw: st.DrawFn) -> Question:
    """A question of any type, including degenerate ones (no keys, no pairs)."""
    qtype = draw(st.sampled_from(list(QuestionType)))
    n = draw(st.integers(0, len(LETTERS)))
    options = tuple(Option(draw(short_text), "") for _ in range(n))
    pairs = tuple(MatchPair(draw(short_text), draw(short_text), "")
                  for _ in range(draw(st.integers(0, 6))))
    own: dict[str, Any] = {
        "options": options, "key": draw(st.sampled_from(LETTERS)),
        "keys": tuple(draw(st.lists(st.sampled_from(LETTERS), unique=True, max_size=6))),
        "pairs": pairs, "distractors": tuple(draw(st.lists(short_text, max_size=3))),
        "answer": draw(st.floats()), "tolerance": draw(st.floats(min_value=0)),
        "geometry": DrillGeometry(
            level="L3", side=draw(st.sampled_from(["left", "right"])),
            approach=draw(st.sampled_from(["transpedicular", "parapedicular"])),
            plan=draw(st.sampled_from(["bipedicular", "unilateral"])),
            body_width=46, body_depth=34, body_height=27, pedicle_width=10, pedicle_height=15,
            pedicle_length=20, pedicle_offset=13, medial_angle=18,
            midline_tolerance=draw(st.floats(0.05, 0.5))),
    }
    cls = QUESTION_CLASSES[qtype]
    fields = {k: v for k, v in own.items() if k in cls.__struct_fields__}
    return cls(
        id="q", topic="anatomy", objectives=("o",),
        difficulty=Difficulty.EASY, stem="s", explanation="e", references=(), **fields,
    )


def check_score(question: Question, answer: Any) -> None:
    """No exception; one point available; points within [0, 1] (never NaN)."""
    result = score(question, answer)
    assert result.max_points == 1.0
    assert 0.0 <= result.points <= result.max_points


@settings(max_examples=500, deadline=None)
@given(question=questions(), answer=answers)
def test_score_is_bounded_for_any_answer(question: Question, answer: Any) -> None:
    check_score(question, answer)


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("VPKP_SOAK"), reason="soak test: run `make soak`")
@settings(max_examples=20_000, deadline=None)
@given(question=questions(), answer=answers)
def test_score_is_bounded_soak(question: Question, answer: Any) -> None:
    check_score(question, answer)


@settings(max_examples=500, deadline=None)
@given(path=st.lists(st.sampled_from(["stop", "push", "ct", "nope", "", "end", "n1"]),
                     max_size=8))
def test_case_score_is_bounded_for_any_path(path: list[str]) -> None:
    case = tiny_bank().cases[0]
    result = score_case_run(case, path)
    assert 0.0 <= result.fraction <= 1.0
    assert 0 <= result.points <= result.max_points <= 3  # the decisions met, each once
    if result.finished and not result.critical_errors:
        assert result.end_node is not None


# -- exports ---------------------------------------------------------------------------------

names = st.text(max_size=30)
"""Any Unicode text, controls and all (surrogates excluded: they are not text)."""
numbers = st.floats() | st.integers(-10**6, 10**6).map(float)
ANSWERS_BY_TYPE = {
    "single_best": st.sampled_from(["A", "B", "C"]) | short_text | st.none(),
    "true_false": st.sampled_from(["A", "B"]) | st.none(),
    "multiple_response": st.lists(st.sampled_from("ABCD") | short_text, max_size=4).map(tuple),
    "ordering": st.permutations([0, 1, 2]).map(tuple),
    "matching": st.lists(st.none() | short_text | st.sampled_from(["22510", "22513"]),
                         min_size=2, max_size=2).map(tuple),
    "numeric": numbers | st.none(),
}


EXPORT_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                             HealthCheck.data_too_large])


@settings(max_examples=60, **EXPORT_SETTINGS)
@given(name=names, program=names, level=names, data=st.data(),
       seconds=st.lists(st.floats(), min_size=6, max_size=6))
def test_exports_for_any_names_and_answers(name: str, program: str, level: str, data: Any,
                                           seconds: list[float]) -> None:
    export_round(name, program, level, data, seconds)


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("VPKP_SOAK"), reason="soak test: run `make soak`")
@settings(max_examples=1000, **EXPORT_SETTINGS)
@given(name=names, program=names, level=names, data=st.data(),
       seconds=st.lists(st.floats(), min_size=6, max_size=6))
def test_exports_soak(name: str, program: str, level: str, data: Any,
                      seconds: list[float]) -> None:
    export_round(name, program, level, data, seconds)


def export_round(name: str, program: str, level: str, data: Any, seconds: list[float]) -> None:
    """Store a learner with these names and drawn answers, then check every export."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        services = Services(tiny_bank(), open_store(root / "data", daily_backups=False),
                            FakeClock())
        try:
            learner = Learner("L1", name, program, level, services.clock())
            services.store.add_learner(learner)  # as stored, however it got there
            attempt = services.build_quiz("L1", QuizSettings(mode=QuizMode.TUTOR, count=6,
                                                             seed=1))
            for qid, secs in zip(attempt.question_ids, seconds, strict=True):
                qtype = services.question(qid).type.value
                answer = data.draw(ANSWERS_BY_TYPE[qtype] | answers, label=qid)
                try:
                    services.record_answer(attempt.id, qid, answer, secs)
                except ValueError as exc:  # refused with a readable message is fine
                    assert str(exc)
            services.finish_quiz(attempt.id)
            check_exports(services, learner, root)
        finally:
            services.store.close()


def strict_json(text: str) -> Any:
    """Parse standard JSON only (no NaN or Infinity)."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def check_exports(services: Services, learner: Learner, root: Path) -> None:
    csv_path = services.export(learner.id, "csv", root / "out.csv")
    for path in (csv_path, summary_path(csv_path)):
        header, rows = assert_safe(path)
        i = header.index("learner_name")
        assert all(unneutralise(r[i]) == shown(learner.display_name) for r in rows)
    js = services.export(learner.id, "json", root / "out.json")
    strict_json(js.read_text(encoding="utf-8"))
    back = read_export(js)
    assert (back.learner.display_name, back.learner.program, back.learner.level) == (
        learner.display_name, learner.program, learner.level)
    stored = services.store.responses(learner.id)
    assert len(back.responses) == len(stored)
    for exported, record in zip(sorted(back.responses, key=lambda r: r.event.record.question_id),
                                sorted(stored, key=lambda r: r.question_id), strict=True):
        assert exported.event.record.points == record.points
        assert math.isfinite(exported.event.record.seconds)
    xapi = services.export(learner.id, "xapi-lines", root / "out.jsonl")
    for line in xapi.read_text(encoding="utf-8").splitlines():
        statement = strict_json(line)
        if "result" in statement and "duration" in statement["result"]:
            assert "inf" not in statement["result"]["duration"].lower()


def test_score_of_a_huge_integer_answer() -> None:
    numeric = tiny_bank().question("comp.nu1")
    assert score(numeric, 10**400).points == 0.0


def test_services_refuse_answers_the_store_could_not_read_back(tmp_path: Path) -> None:
    services = Services(tiny_bank(), open_store(tmp_path, daily_backups=False), FakeClock())
    learner = services.create_learner("Ada")
    attempt = services.build_quiz(learner.id, QuizSettings(count=6, seed=1))
    for answer, why in [(10**400, "finite"), (float("inf"), "finite"), (True, "not an answer"),
                        ((1.5,), "not an answer"), ((False, "A"), "not an answer"),
                        ((2**63,), "64 bits"), ((-(2**63) - 1, "A"), "64 bits")]:
        with pytest.raises(ValueError, match=why):
            services.record_answer(attempt.id, "comp.nu1", answer, 1.0)
    services.record_answer(attempt.id, "comp.nu1", 5, float("inf"))
    services.record_answer(attempt.id, "anat.mr1", ["A", "C"], -3)
    assert {(r.question_id, r.answer, r.seconds) for r in services.store.responses(learner.id)} \
        == {("comp.nu1", 5.0, 0.0), ("anat.mr1", ("A", "C"), 0.0)}
    services.store.close()


# -- the command line: no traceback, whatever it is given ------------------------------------

HOSTILE_CHARS = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x24F),  # ASCII, controls, C1, Latin
    st.sampled_from(["\x1b", "\x1b[31m", "\x1b]0;T\x07", "\x9b", "\u202e", "\u2066", "\x00",
                     "\udcff", "\udc80", "/", ",", "+", "=", "-", "--", ".", "~", "{", "}"]),
)
hostile_text = st.lists(HOSTILE_CHARS, max_size=12).map("".join)
"""Random strings with control characters, escapes, bidi overrides and undecodable bytes
(lone surrogates, as Python gives them for a file name that is not UTF-8)."""


class CliWorld:
    """Files the commands are pointed at, each checked unchanged after every command: a
    content folder, a JSON export, a text file, a FIFO, an empty folder, a folder that
    cannot be entered (for a user without root's power). A fresh copy of a data folder
    with one learner's progress is made for each command."""

    def __init__(self, root: Path) -> None:
        from tests.export.conftest import populate
        from vpkp_tutor.cli import main

        self.root = root
        p = populate(root / "data", name="Ada")
        p.services.store.close()
        self.data = root / "data"
        content = root / "content"
        content.mkdir()
        lesson = (Path(__file__).parents[1] / "data/errors/_lesson_ok.yaml").read_text()
        (content / "lesson.yaml").write_text(lesson)
        (content / "\x1b]0;T\x07\x1b[31mbad.yaml").write_text("kind: questions\nquestions: [")
        self.export = root / "ada.json"
        assert main(["--data-dir", str(self.data), "export", "--learner", "Ada", "--format",
                     "json", "-o", str(self.export)]) == 0
        (root / "notes.txt").write_text("keep me\n")
        os.mkfifo(root / "fifo")
        (root / "empty").mkdir()
        (root / "locked").mkdir()
        (root / "locked" / "inside.txt").write_text("locked\n")
        (root / "locked").chmod(0)
        self.inputs = [content, content / "lesson.yaml", self.export, root / "notes.txt",
                       root / "fifo", root / "empty", root / "locked",
                       root / "locked" / "inside.txt", root / "missing.yaml"]
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, str]:
        """What every existing file and folder is: its bytes, or its kind."""
        import stat

        shot: dict[str, str] = {}
        for path in [*self.root.rglob("*"), *(self.root / "locked").iterdir()]:
            rel = str(path.relative_to(self.root))
            if rel.split(os.sep)[0] in ("data", "scratch"):
                continue
            mode = path.lstat().st_mode
            shot[rel] = (path.read_bytes().hex() if stat.S_ISREG(mode) else
                         "fifo" if stat.S_ISFIFO(mode) else "dir" if stat.S_ISDIR(mode)
                         else "other")
        return shot


@pytest.fixture(scope="module")
def cli_world() -> Any:
    root = Path(tempfile.mkdtemp(prefix="vpkp-cli-"))
    try:
        yield CliWorld(root)
    finally:
        (root / "locked").chmod(0o755)
        import shutil

        shutil.rmtree(root, ignore_errors=True)


@st.composite
def command_lines(draw: st.DrawFn, world: CliWorld, scratch: Path) -> list[str]:
    """A command line for any command (or the app), with hostile values in every place."""
    def path_in() -> str:
        return draw(st.one_of(st.sampled_from([str(p) for p in world.inputs]),
                              hostile_text.map(lambda t: str(scratch / f"in{t}"))))

    def path_out() -> str:
        return draw(st.one_of(
            hostile_text.map(lambda t: str(scratch / f"out{t}")),
            st.sampled_from([str(world.root / "fifo"), str(world.root / "empty"),
                             str(world.root / "locked" / "x.csv"), str(scratch / "no/dir.csv"),
                             str(world.root / "missing-dir" / "x.csv")])))

    def text() -> str:
        return draw(st.one_of(hostile_text, st.sampled_from(
            ["Ada", "latest", "nord", "0.85", "keymap", "theme", "desired_retention", "csv",
             '{"app.quit": "x"}', '{"quiz.flag": "\x1b"}', "-1", "99999999999999999999"])))

    command = draw(st.sampled_from(["validate", "schema", "locate", "export", "report",
                                    "recover", "config", "bindings", "app", "junk"]))
    args: list[str] = {
        "validate": lambda: ["validate", *[path_in() for _ in range(draw(st.integers(0, 3)))]],
        "schema": lambda: ["schema", *([text()] if draw(st.booleans()) else [])],
        "locate": lambda: ["locate"],
        "export": lambda: ["export", "--learner", text(), "--format",
                           draw(st.sampled_from(["csv", "json", "xapi", "pdf"])),
                           "-o", path_out()],
        "report": lambda: ["report", *[path_in() for _ in range(draw(st.integers(1, 3)))],
                           "-o", path_out(), "--top", draw(st.sampled_from(["3", "-2", "x"]))],
        "recover": lambda: ["recover", *draw(st.sampled_from([[], ["--fresh"], ["--restore"]])),
                            *draw(st.sampled_from([[], ["latest"], [path_in()]]))],
        "config": lambda: ["config", *[text() for _ in range(draw(st.integers(0, 2)))],
                           *draw(st.sampled_from([[], ["--unset"]]))],
        "bindings": lambda: ["bindings"],
        "app": lambda: [],
        "junk": lambda: [text() for _ in range(draw(st.integers(1, 3)))],
    }[command]()
    data_dir = draw(st.sampled_from([str(scratch / "data"), str(scratch / "data"),
                                     str(world.root / "notes.txt"), str(world.root / "fifo"),
                                     str(world.root / "locked" / "data"),
                                     str(scratch / "fresh\x1b[31m")]))
    options = ["--data-dir", data_dir]
    if draw(st.booleans()):
        options += ["--content", draw(st.sampled_from([str(world.inputs[0]), path_in()]))]
    if draw(st.booleans()) and command != "export":
        options += ["--learner", text()]
    if command in ("app", "junk") or draw(st.booleans()):
        return [*options, *args]
    return [*args[:1], *options, *args[1:]]  # the options after the command


def check_command(world: CliWorld, scratch: Path, argv: list[str],
                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.faults.hostile import FORBIDDEN
    from vpkp_tutor.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, err)
    assert "Traceback" not in out + err
    assert not FORBIDDEN & set(out + err), (argv, out, err)
    now = world.snapshot()
    assert {k: now.get(k) for k in world.before} == world.before, argv  # new files may appear


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_cli_command_fails_with_a_traceback(
    cli_world: CliWorld, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    """Every command (and the app without a terminal), hostile text in every argument,
    files of every kind (FIFO, folder, unreadable, missing) in every path: exit 0, 1 or 2,
    no traceback, no control character or escape in the output, and no file that existed
    changed."""
    import shutil

    scratch = Path(tempfile.mkdtemp(dir=cli_world.root, prefix="scratch"))
    try:
        shutil.copytree(cli_world.data, scratch / "data")
        argv = data.draw(command_lines(cli_world, scratch), label="argv")
        check_command(cli_world, scratch, argv, capsys)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), output=st.sampled_from([">&-", ">/dev/full", "ascii", "2>&-"]))
def test_no_cli_command_fails_with_a_traceback_whatever_its_output(
    cli_world: CliWorld, data: st.DataObject, output: str
) -> None:
    """The same command lines as real processes whose standard output is closed or full, in
    an ASCII locale, or with standard error closed: exit 0, 1 or 2, never a traceback, and
    no file that existed changed."""
    import shutil
    import subprocess
    import sys

    from tests.faults.terminal import ROOT

    scratch = Path(tempfile.mkdtemp(dir=cli_world.root, prefix="scratch"))
    try:
        shutil.copytree(cli_world.data, scratch / "data")
        argv = data.draw(command_lines(cli_world, scratch), label="argv")
        argv = [a for a in argv if "\x00" not in a]  # a command line cannot hold NUL
        env = {**os.environ, "PYTHONPATH": str(ROOT),
               **(ASCII_LOCALE if output == "ascii" else {})}
        run = [sys.executable, "-m", "vpkp_tutor", *argv]
        if output != "ascii":
            run = ["sh", "-c", f'exec "$@" {output}', "sh", *run]
        done = subprocess.run([os.fsencode(a) for a in run], cwd=ROOT, env=env,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode in (0, 1, 2), (argv, err)
        assert "Traceback" not in err and "Exception ignored" not in err, (argv, err)
        assert b"\x1b" not in done.stdout + done.stderr, (argv, err)
        now = cli_world.snapshot()
        assert {k: now.get(k) for k in cli_world.before} == cli_world.before, argv
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
