"""The ten-minute path of docs/authoring.md, from nothing, in a real terminal (tmux, 80×24):
a course folder with a new topic; `new` for a lesson, five questions of different types and
a case; every placeholder replaced as an educator would in an editor (each save is a whole
file written); each file previewed as a learner sees it, one of them edited while previewed;
and `validate` clean — no error and no warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.journeys.terminal import app_terminal, needs_tmux, save_until

EXE = Path(sys.executable).with_name("vpkp-tutor")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def _vpkp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)


# Each file's placeholders and what the educator writes in their place (the skeleton's text
# is matched exactly: when `new` writes something else, the edit fails loudly).
EDITS: dict[str, list[tuple[str, str]]] = {
    "lessons/sacrum.yaml": [
        ("Replace with the lesson's title", "The sacrum for sacroplasty"),
        ("Replace with one sentence on what the lesson teaches.",
         "The landmarks that keep a sacroplasty needle inside the sacral ala."),
        ("Replace with what the learner should be able to do.",
         "Name the landmarks that bound a safe sacroplasty needle path."),
        ("Replace with the source this is based on", "Sacroplasty, a technical review"),
        ("kind: other ", "kind: review "),
        ("https://example.org/replace-with-the-source", "https://example.org/sacroplasty"),
        ("Replace with the first step's heading", "The sacral ala"),
        ("Replace with the teaching text (Markdown: **bold**, lists, short tables).",
         "The **sacral ala** lies lateral to the foramina; a needle kept inside it stays\n"
         "      clear of the nerve roots."),
        ("    # checks: [question-id]   # optional questions answered in place",
         "    checks: [sacrum-sba-q001]"),
    ],
    "question_bank/sacrum-sba.yaml": [
        ("Replace with the vignette and the lead-in question (Markdown).",
         "On a lateral view, which line must the tip of a sacroplasty needle never cross?"),
        ("Replace with option A", "The anterior sacral cortex"),
        ("Replace with why option A is right or wrong.", "Beyond it lie the pelvic organs."),
        ("Replace with option B", "The posterior iliac crest"),
        ("Replace with why option B is right or wrong.", "It is behind the entry point."),
        ("Replace with option C", "The S2 spinous tubercle"),
        ("Replace with why option C is right or wrong.", "It is a midline landmark."),
        ("Replace with option D", "The sacral hiatus"),
        ("Replace with why option D is right or wrong.", "It is far below the ala."),
        ("Replace with the teaching point shown after the answer.",
         "The anterior cortex is the last safe boundary on the lateral view."),
    ],
    "question_bank/sacrum-mr.yaml": [
        ("Replace with the vignette and the lead-in question (Markdown).",
         "Which structures border the sacral ala on an axial CT? Select all that apply."),
        ("Replace with option A", "The S1 neural foramen"),
        ("Replace with why option A is right or wrong.", "It lies medial to the ala."),
        ("Replace with option B", "The aorta at L4"),
        ("Replace with why option B is right or wrong.", "It divides far above the ala."),
        ("Replace with option C", "The sacroiliac joint"),
        ("Replace with why option C is right or wrong.", "It lies lateral to the ala."),
        ("Replace with option D", "The L5 spinous process"),
        ("Replace with why option D is right or wrong.", "It lies above and behind."),
        ("Replace with the teaching point shown after the answer.",
         "The ala lies between the foramina and the sacroiliac joint."),
    ],
    "question_bank/sacrum-tf.yaml": [
        ("Replace with the vignette and the lead-in question (Markdown).",
         "The sacral foramina lie medial to the sacral ala."),
        ("Replace with why the statement is or is not true.",
         "The foramina are the ala's medial border."),
        ("Replace with why the statement is or is not false.", "They are medial to it."),
        ("Replace with the teaching point shown after the answer.",
         "Stay lateral to the foramina and medial to the joint."),
    ],
    "question_bank/sacrum-numeric.yaml": [
        ("Replace with the vignette and the lead-in question (Markdown).",
         "A needle is advanced 25 mm from a start 15 mm behind its target. How many\n"
         "      millimetres past the target is its tip?"),
        ("Replace with the teaching point shown after the answer.", "25 − 15 = 10 mm."),
    ],
    "question_bank/sacrum-short.yaml": [
        ("Replace with the vignette and the lead-in question (Markdown).",
         "Name the bone formed by the five fused sacral vertebrae."),
        ("Replace with the accepted answer", "sacrum"),
        ("Replace with another way to write it", "os sacrum"),
        ("Replace with what to say to this answer.", "That is its Latin name."),
        ("Replace with the teaching point shown after the answer.",
         "The sacrum is five fused vertebrae."),
    ],
    "question_bank/cases/sacrum-case.yaml": [
        ("Replace with the case's title", "A sacral insufficiency fracture"),
        ("Replace with the patient's story as the learner first meets it (Markdown).",
         "An 81-year-old with osteoporosis has had buttock pain for six weeks."),
        ("Replace with what the learner sees at this point.",
         "MRI shows oedema in both sacral alae. Pain keeps her in bed."),
        ("Replace with a finding", "Bilateral alar oedema on STIR"),
        ("Replace with the better choice", "Offer sacroplasty under CT guidance"),
        ("Replace with why this choice is better.", "It treats the pain and mobilises her."),
        ("Replace with a weaker choice", "Another six weeks of bed rest"),
        ("Replace with why this choice is weaker.", "Bed rest costs bone and muscle."),
        ("Replace with what happens after the better choice.", "She walks the next day."),
        ("Replace with what happens after the weaker choice.", "She loses her mobility."),
        ("Replace with the outcome.", "Pain relief and early walking."),
        ("Replace with the outcome.", "Deconditioning and a fall."),
        ("Replace with the teaching summary shown at the end.",
         "Treat a painful sacral insufficiency fracture early; keep the needle in the ala."),
    ],
}
for _name in EDITS:
    if _name.startswith("question_bank"):
        EDITS[_name].extend([
            ("Replace with the source this is based on", "Sacroplasty, a technical review"),
            ("kind: other ", "kind: review "),
            ("https://example.org/replace-with-the-source", "https://example.org/sacroplasty"),
        ])


def _documented() -> tuple[str, list[list[str]], str]:
    """The ten-minute path as docs/authoring.md gives it: the manifest, the `new` commands,
    and what `validate .` prints at the end."""
    docs = DOCS.read_text(encoding="utf-8")
    path = docs[docs.index("## Your first topic in ten minutes"):docs.index("## Editor support")]
    manifest = re.search(r"```yaml\n   # course.yaml\n(.*?)   ```", path, re.S)
    assert manifest, "the path shows the course's manifest"
    news = [line.split()[3:] for line in re.findall(r"^\s*\$ vpkp-tutor new .*$", path, re.M)]
    clean = re.search(r"\$ vpkp-tutor validate \.\n\s*(checked .*)\n", path)
    assert clean, "the path shows a clean validate"
    commands = re.findall(r"^\s*\$ vpkp-tutor (\w+)", path, re.M)
    assert commands.index("new") < commands.index("preview") < commands.index("validate")
    return re.sub(r"^   ", "", manifest.group(1), flags=re.M), news, clean.group(1)


def _edit(path: Path, changes: list[tuple[str, str]]) -> None:
    """Replace each placeholder in turn and save the whole file, as an editor does."""
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, f"{path.name}: the skeleton has no {old!r}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


@needs_tmux
def test_a_new_topic_from_nothing_to_previewed_and_valid(tmp_path: Path) -> None:
    manifest, news, clean = _documented()
    course = tmp_path / "spine"
    # 0. the course: a folder with its manifest (declaring the new topic) and content folders
    for folder in ("lessons", "question_bank/cases"):
        (course / folder).mkdir(parents=True)
    (course / "course.yaml").write_text(manifest, encoding="utf-8")

    # 1. skeletons, with the docs' commands: a lesson, five questions of different types and
    # a case
    made = [_vpkp(course, "new", *args) for args in news]
    for done in made:
        assert done.returncode == 0 and done.stdout.startswith("wrote "), done.stderr
    assert sorted(args[1] for args in news) == sorted(EDITS)
    types = {args[args.index("--type") + 1] for args in news if "--type" in args}
    assert [args[0] for args in news].count("question") == len(types) == 5
    assert "topic: sacrum" in (course / "question_bank" / "sacrum-mr.yaml").read_text(
        encoding="utf-8")  # the new topic, taken from the course's lesson
    skeletons = _vpkp(course, "validate", ".")
    assert skeletons.returncode == 0, skeletons.stdout
    assert skeletons.stdout.splitlines()[-1].endswith("; 0 errors, 0 warnings")

    # 2. every placeholder replaced
    for name, changes in EDITS.items():
        _edit(course / name, changes)
    for path in course.rglob("*.yaml"):
        assert "Replace with" not in path.read_text(encoding="utf-8"), path

    # 3. each file previewed as a learner sees it; the lesson edited while it is shown
    lesson = course / "lessons" / "sacrum.yaml"
    with app_terminal(tmp_path, "preview", str(lesson)) as term:
        term.wait_for("The sacral ala")
        text = lesson.read_text(encoding="utf-8")
        save_until(term, lesson, text.replace("clear of the nerve roots",
                                               "clear of the sacral nerve roots"),
                    "sacral nerve roots")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    with app_terminal(tmp_path, "preview", str(course / "question_bank/sacrum-sba.yaml")) as term:
        term.wait_for("tip of a sacroplasty needle")
        term.wait_for("A. The anterior sacral cortex")
        term.keys("a", "Enter")  # answered as a learner would: the teaching point follows
        term.wait_for("✓ Correct")
        term.wait_for("Beyond it lie the pelvic organs")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    with app_terminal(tmp_path, "preview", str(course / "question_bank/sacrum-short.yaml")) as term:
        term.wait_for("five fused sacral vertebrae")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    with app_terminal(tmp_path, "preview", str(course / "question_bank/cases/sacrum-case.yaml")) as term:
        term.wait_for("buttock pain")
        term.wait_for("Offer sacroplasty under CT guidance")
        term.keys("1")  # stepped through as a learner would: choice, feedback, end, debrief
        term.wait_for("mobilises her")
        term.keys("Enter")
        term.wait_for("She walks the next day")
        term.keys("Enter")
        term.wait_for("Score 2 / 2")
        term.wait_for("fracture early; keep the needle")
        term.keys("C-q")
        term.wait_for("EXITED-0")

    # 4. validated clean: no error, no warning, everything loaded
    done = _vpkp(course, "validate", ".")
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == [clean]
    assert clean == "checked 8 files: 1 lesson, 5 questions and 1 case loaded; 0 errors, 0 warnings"
    strict = _vpkp(course, "validate", "--strict", ".")
    assert strict.returncode == 0, strict.stdout
