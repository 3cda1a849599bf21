"""`vpkp-tutor import` and `export-items`: what is written, what is said, what is refused."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.interchange.conformance import CORPUS
from vpkp_tutor.cli import main
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import ShortAnswer, SingleBest, TrueFalse

ROOT = Path(__file__).resolve().parents[2]
BANK = """\
// a small bank
$CATEGORY: $course$/top/Spine/imaging

::img-q1::[markdown]Which sequence shows marrow oedema best?{
  =STIR#Fat-suppressed fluid-sensitive.
  ~T1#Oedema is dark, but less specific.
  ~T2 without fat suppression#Fat hides it.
  ####STIR or fat-saturated T2.
}

The pedicle lies between the body and the lamina.{T}

Name the bony corridor of transpedicular access.{=pedicle =%50%pedicles}

Write an essay on cement leakage.{}
"""


def run(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "vpkp_tutor", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()} if folder.exists() else {}


def test_import_writes_valid_yaml_and_reports_each_skip(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        ) -> None:
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    course = tmp_path / "course"
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 0
    out = capsys.readouterr().out
    assert f"skipped {bank}:15: an essay question is not imported" in out
    assert f"changed {bank}:" not in out
    assert "imported 3 questions: 1 short_answer, 1 single_best, 1 true_false" in out
    assert "skipped 1: 1 essay" in out
    written = sorted(str(p.relative_to(course)) for p in course.rglob("*.yaml"))
    assert written == ["lessons/imported-bank.yaml", "question_bank/bank.yaml"]
    loaded = load_content([course])
    assert loaded.errors == ()
    by_id = {q.id: q for q in loaded.questions}
    q1 = by_id["img-q1"]
    assert isinstance(q1, SingleBest) and q1.key == "A"
    assert q1.topic == "imaging"  # the category's last part names a topic
    assert q1.options[1].explanation == "Oedema is dark, but less specific."
    assert q1.explanation == "STIR or fat-saturated T2."
    tf = next(q for q in loaded.questions if isinstance(q, TrueFalse))
    assert tf.key == "A" and tf.topic == "imaging"  # the category stays in force
    short = next(q for q in loaded.questions if isinstance(q, ShortAnswer))
    assert [(a.text, a.weight) for a in short.answers] == [("pedicle", 1.0), ("pedicles", 0.5)]
    assert main(["validate", str(course)]) == 0


def test_existing_files_are_never_replaced_without_force(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         ) -> None:
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    course = tmp_path / "course"
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 0
    before = snapshot(course)
    bank.write_text(BANK.replace("STIR#", "STIR sequence#"), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 1
    err = capsys.readouterr().err
    assert f"{course / 'question_bank' / 'bank.yaml'}:1:1: exists already; give --force" in err
    assert snapshot(course) == before
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy",
                 "--force"]) == 0
    assert b"STIR sequence" in (course / "question_bank" / "bank.yaml").read_bytes()
    assert not [p for p in course.iterdir() if p.name.startswith(".vpkp-import-")]


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = tmp_path / "course"
    path = CORPUS / "options1.gift"
    assert main(["import", str(path), "--to", str(course), "--topic", "anatomy",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would write {course / 'question_bank' / 'options1.yaml'} (14 questions)" in out
    assert "dry run: nothing was written" in out
    assert not course.exists()


def test_unknown_topic_and_missing_file_are_usage_errors(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         ) -> None:
    course = tmp_path / "c"
    assert main(["import", str(CORPUS / "mc1.gift"), "--to", str(course),
                 "--topic", "nope"]) == 2
    assert "--topic nope: not a topic" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "none.gift"), "--to", str(course),
                 "--topic", "anatomy"]) == 2
    assert "none.gift: no such file" in capsys.readouterr().err
    assert not course.exists()


def test_bom_crlf_and_windows_1252(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = tmp_path / "course"
    crlf = tmp_path / "crlf.gift"
    crlf.write_bytes(codecs.BOM_UTF8 + "Caf\u00e9 is French.{T}\r\n\r\nTea?{F}\r\n".encode())
    assert main(["import", str(crlf), "--to", str(course), "--topic", "anatomy"]) == 0
    stems = sorted(q.stem for q in load_content([course]).questions)
    assert stems == ["Café is French.", "Tea?"]
    smart = tmp_path / "smart.gift"
    smart.write_bytes("\u201cQuoted\u201d is true.{T}\n".encode("cp1252"))
    capsys.readouterr()
    assert main(["import", str(smart), "--to", str(course), "--topic", "anatomy"]) == 1
    err = capsys.readouterr().err
    assert f"{smart}:1:1: byte 0x93 is not UTF-8" in err and "--encoding cp1252" in err
    assert main(["import", str(smart), "--to", str(course), "--topic", "anatomy",
                 "--encoding", "cp1252"]) == 0
    assert any(q.stem == "“Quoted” is true." for q in load_content([course]).questions)


def test_export_items_then_import_gives_the_items_back(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    course = tmp_path / "course"
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 0
    for fmt, name in (("gift", "out.gift"), ("moodle-xml", "out.xml")):
        out = tmp_path / name
        assert main(["export-items", str(course), "--format", fmt, "-o", str(out)]) == 0
        assert f"wrote {out} (3 questions)" in capsys.readouterr().out
        before = out.read_bytes()
        assert main(["export-items", str(course), "--format", fmt, "-o", str(out)]) == 2
        assert "exists already; give --force" in capsys.readouterr().err
        assert out.read_bytes() == before
        assert main(["export-items", str(course), "--format", fmt, "-o", str(out),
                     "--force"]) == 0
        capsys.readouterr()
        again = tmp_path / f"again-{fmt}"
        assert main(["import", str(out), "--to", str(again), "--topic", "anatomy"]) == 0
        first = {q.id: (q.stem, q.explanation) for q in load_content([course]).questions}
        second = {q.id: (q.stem, q.explanation) for q in load_content([again]).questions}
        assert first == second


HOSTILE = {
    "nul.gift": (b"What?{T}\n\nWh\x00y?{F}\n", ":3:3: a NUL byte"),
    "utf8.gift": (b"Fine.{T}\n\nBad \xff byte.{F}\n", ":3:5: byte 0xff is not UTF-8"),
    "brace.gift": (b"Fine.{T}\n\n::q::Open {=a ~b ~c\n", ":3:"),
    "laughs.xml": (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                   b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
                   b"<quiz>&lol2;</quiz>\n", ":2:"),
    "external.xml": (b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM '
                     b'"file:///etc/passwd">]>\n<quiz>&x;</quiz>\n', ":2:"),
    "deep.xml": (b"<quiz>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</quiz>", ":1:"),
    "broken.xml": (b"<quiz>\n<question type='truefalse'>\n</quiz>\n", ":3:"),
    "aiken.txt": (b"Which?\nA. one\nB. two\nANSWER: C\n", ":4:1: ANSWER: C is not one"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_give_a_located_error_and_write_nothing(tmp_path: Path,
                                                              name: str) -> None:
    data, where = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    course = tmp_path / "course"
    code, out, err = run("import", str(path), "--to", str(course), "--topic", "anatomy")
    assert code == 1, (out, err)
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:") and where in first, err
    assert err.rstrip().endswith("nothing was written")
    assert not course.exists()


def test_a_10_mb_file_is_refused_quickly_and_located(tmp_path: Path) -> None:
    path = tmp_path / "big.gift"
    path.write_bytes(b"Q?{T}\n\n" * (3 * 1024 * 1024 // 7 * 8))  # about 24 MB
    course = tmp_path / "course"
    course.mkdir()
    (course / "keep.txt").write_text("mine")
    code, _, err = run("import", str(path), "--to", str(course), "--topic", "anatomy")
    assert code == 1 and "Traceback" not in err
    assert f"{path}:1:1: the file is" in err and "the limit is" in err
    assert snapshot(course) == {"keep.txt": b"mine"}
    assert os.listdir(course) == ["keep.txt"]


def test_a_10_mb_file_of_broken_questions_is_refused_with_the_first_problems(
        tmp_path: Path) -> None:
    """One parse per question would take a minute and 500 MB: the reader stops after
    `MAX_ERRORS` problems and says so."""
    from vpkp_tutor.interchange.gift import MAX_ERRORS

    path = tmp_path / "flood.gift"
    path.write_bytes(b"Q?{=a ~b\n\n" * (10 * 1024 * 1024 // 10))
    course = tmp_path / "course"
    code, _, err = run("import", str(path), "--to", str(course), "--topic", "anatomy")
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:1:3: an answer block '{{' is never closed")
    assert len(lines) == MAX_ERRORS + 2
    assert lines[-2].endswith("the rest of the file is not read")
    assert lines[-1] == "vpkp-tutor: error: nothing was written"
    assert not course.exists()


def test_topic_comes_from_categories_or_must_be_given(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      ) -> None:
    course = tmp_path / "course"
    bank = tmp_path / "bank.gift"
    bank.write_text("$CATEGORY: $course$/top/billing\n\nA code?{=22511}\n\n"
                    "$CATEGORY: $course$/top/Misc\n\nTrue?{T}\n", encoding="utf-8")
    assert main(["import", str(bank), "--to", str(course)]) == 1
    err = capsys.readouterr().err
    assert f"{bank}:7:1: no topic for this question" in err and "--topic" in err
    assert f"{bank}:3:" not in err  # its category names a topic
    assert not course.exists()
    assert main(["import", str(bank), "--to", str(course), "--topic", "aftercare"]) == 0
    topics = sorted(q.topic for q in load_content([course]).questions)
    assert topics == ["aftercare", "billing"]


def test_export_items_of_one_bundled_file_checks_it_with_its_course(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "anatomy.gift"
    assert main(["export-items", str(ROOT / "question_bank" / "anatomy.yaml"), "--format",
                 "gift", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "skipped anat-q025: GIFT has no ordering questions" in said
    assert "::anat-q001::[markdown]" in out.read_text(encoding="utf-8")
    assert "::bill-" not in out.read_text(encoding="utf-8")  # only that file's questions


def test_an_item_the_validator_refuses_is_left_out_and_said(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            ) -> None:
    """An option over the app's 1,000-character limit: that item is skipped, located in the
    source, and the rest is written."""
    bank = tmp_path / "bank.gift"
    bank.write_text("Fine?{T}\n\nToo long?{=" + "x" * 1200 + " ~b ~c}\n\nAlso fine?{F}\n",
                    encoding="utf-8")
    course = tmp_path / "course"
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 0
    out = capsys.readouterr().out
    assert f"skipped {bank}:3: refused by the validator:" in out
    assert "imported 2 questions: 2 true_false" in out
    assert sorted(q.stem for q in load_content([course]).questions) == ["Also fine?", "Fine?"]
    bank.write_text("Too long?{=" + "x" * 1200 + " ~b ~c}\n", encoding="utf-8")
    again = tmp_path / "again"
    assert main(["import", str(bank), "--to", str(again), "--topic", "anatomy"]) == 1
    said = capsys.readouterr()
    assert f"skipped {bank}:1: refused by the validator:" in said.out
    assert "nothing to import" in said.err
    assert not again.exists()


def test_objective_must_be_declared_by_the_course(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    course = tmp_path / "course"
    for folder in ("lessons", "question_bank"):
        (course / folder).mkdir(parents=True)
        (course / folder / "anatomy.yaml").write_bytes(
            (ROOT / folder / "anatomy.yaml").read_bytes())
    bank = tmp_path / "bank.gift"
    bank.write_text(BANK, encoding="utf-8")
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy",
                 "--objective", "nope.x"]) == 2
    assert "--objective nope.x: no sound lesson in" in capsys.readouterr().err
    assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy",
                 "--objective", "anat.level-counting"]) == 0
    written = sorted(str(p.relative_to(course)) for p in course.rglob("*.yaml"))
    assert written == ["lessons/anatomy.yaml", "question_bank/anatomy.yaml",
                       "question_bank/bank.yaml"]  # no lesson written
    imported = [q for q in load_content([course]).questions if "imported" in q.tags]
    assert len(imported) == 3
    assert {q.objectives for q in imported} == {("anat.level-counting",)}


def test_a_course_with_a_broken_manifest_is_named_and_left_unchanged(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "course.yaml").write_text("id: x\ntitle: [unterminated\n", encoding="utf-8")
    bank = tmp_path / "q.gift"
    bank.write_text("::q1:: Which bone? {=sacrum ~ilium}\n", encoding="utf-8")
    before = snapshot(course)
    code, _, err = run("import", str(bank), "--to", str(course), "--topic", "anatomy")
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"--to {course}: its course.yaml has errors: {course}/course.yaml:" in err
    assert snapshot(course) == before


def own_course(folder: Path) -> Path:
    """A course with its own manifest and topics (not the bundled course's): one lesson
    declaring `sacrum.anatomy` under the topic `sacrum`, and one question on it."""
    (folder / "lessons").mkdir(parents=True)
    (folder / "question_bank").mkdir()
    (folder / "course.yaml").write_text(
        "id: sacral\ntitle: Sacroplasty\nversion: \"0.1\"\ntopics:\n"
        "  - {id: sacrum, label: The sacrum}\n  - {id: coccyx, label: The coccyx}\n",
        encoding="utf-8")
    lesson = (ROOT / "lessons" / "anatomy.yaml").read_text(encoding="utf-8")
    for old, new in (("topic: anatomy", "topic: sacrum"), ("id: anat.", "id: sacrum.")):
        lesson = lesson.replace(old, new)
    (folder / "lessons" / "sacrum.yaml").write_text(
        "\n".join(line for line in lesson.split("\n") if "checks:" not in line),
        encoding="utf-8")
    return folder


def test_import_and_export_items_use_the_courses_own_topics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A course with its own `course.yaml`: imported questions are checked against its
    topics (not the bundled course's), and `export-items` of the course folder reads its
    content folders, not the manifest as content."""
    course = own_course(tmp_path / "course")
    declared = sorted({o.id for lesson in load_content([course / "lessons"],
                                                        manifest=course / "course.yaml").lessons
                       for o in lesson.objectives})
    assert declared and all(o.startswith("sacrum.") for o in declared)
    bank = tmp_path / "q.gift"
    bank.write_text("::q1:: Which bone lies below L5? {=sacrum ~ilium ~coccyx ~femur}\n",
                    encoding="utf-8")
    assert main(["import", str(bank), "--to", str(course), "--topic", "sacrum",
                 "--objective", declared[0]]) == 0
    assert "imported 1 question: 1 single_best" in capsys.readouterr().out
    code, out, err = run("validate", str(course))
    assert code == 0, err + out
    out_file = tmp_path / "bank.gift"
    code, out, err = run("export-items", str(course), "--format", "gift", "-o", str(out_file))
    assert code == 0, err
    assert "$CATEGORY: $course$/top/sacrum" in out_file.read_text(encoding="utf-8")
    assert f"wrote {out_file} (1 question)" in out
