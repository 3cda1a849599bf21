"""The HTML report in a real headless Chromium: it renders, shows the key sections and
numbers, logs no console error, requests nothing from the network, sorts its learners table,
reads on a phone, reads with scripts off, and prints each section on its own page with every
item's options.

Screenshots and the PDF are kept in the test's temporary folder (its path is printed); a
person looks at them when the report's look changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.cdp import Browser, Page
from tests.report.gen import HOSTILE_COMMENT, make_cohort
from vpkp_tutor.cli import main
from vpkp_tutor.domain.confidence import ErrorTag

HOSTILE = "<script>alert(1)</script>"
SECTIONS = ("Cohort summary", "Who is behind, on what", "Learners", "Mastery by objective",
            "Item analysis", "Why answers were wrong", "Case outcomes", "Method and limits")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser-artifacts")
    print(f"\nbrowser artifacts: {folder}")
    return folder


@pytest.fixture(scope="module")
def exports(report: Path) -> list[dict[str, Any]]:
    """Every answer in the exports the report was made from."""
    return [r for path in sorted((report.parent / "exports").glob("*.json"))
            for r in json.loads(path.read_text(encoding="utf-8"))["responses"]]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    cohort = make_cohort(folder / "exports", learners=40,
                         names=[HOSTILE, "Zoë <b>bold</b> & co"])
    out = folder / "report.html"
    assert main(["--data-dir", str(folder / "data"), "report", str(folder / "exports"),
                 "--html", str(out)]) == 0
    assert len(cohort.paths) == 40
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Page]:
    with browser.page() as p:
        p.open(report.as_uri())
        yield p


def texts(page: Page, selector: str) -> list[str]:
    return list(page.evaluate(
        f"Array.from(document.querySelectorAll({json.dumps(selector)}), e => e.textContent.trim())"))


def test_renders_the_key_sections_and_numbers(page: Page, report: Path,
                                              artifacts: Path) -> None:
    page.screenshot(artifacts / "report-desktop.png", full_page=False)
    assert texts(page, "section h2") == list(SECTIONS)
    assert texts(page, '[data-figure="learners"] b') == ["40"]
    assert page.evaluate("document.querySelectorAll('#learners-table tbody tr').length") == 40
    miskey = texts(page, '#items-table tr[data-item="q.miskey"] .flag')
    assert "possible miskey" in miskey and "negative discrimination" in miskey
    assert "too easy" in texts(page, '#items-table tr[data-item="q.easy"] .flag')
    assert page.evaluate("document.querySelectorAll('#heat rect').length") > 40 * 10
    cases = texts(page, "#cases-table tbody tr td")
    assert cases[0].startswith("Cement leak") and cases[4] == "8"  # runs with a never event
    # hostile names are text: one script element (the sorter), the names shown literally
    assert page.evaluate("document.scripts.length") == 1
    names = texts(page, "#learners-table tbody td:first-child")
    assert HOSTILE in names and "Zoë <b>bold</b> & co" in names
    assert page.evaluate("document.querySelectorAll('#learners-table b').length") == 0


def test_why_answers_were_wrong(page: Page, exports: list[dict[str, Any]],
                                 artifacts: Path) -> None:
    """The cohort's error profile per topic and the disagreements beside the item's figures,
    as the exports hold them; a hostile comment reads as text."""
    page.evaluate("document.getElementById('errors').scrollIntoView()")
    page.screenshot(artifacts / "report-errors.png", full_page=False)
    topics = texts(page, "#errors-table tbody tr td:first-child")
    assert sorted(topics) == sorted({r["topic"] for r in exports if not r["correct"]})
    for topic in [*topics, ""]:
        mine = [r for r in exports if topic in ("", r["topic"])]
        row = f'#errors-table tr[data-topic="{topic}"]'
        cells = texts(page, f"{row} > *")
        assert cells[1] == str(sum(1 for r in mine if not r["correct"]))  # misses
        for tag in ErrorTag:
            shown = texts(page, f'{row} [data-tag="{tag.value}"]')[0].split()[0]
            assert shown == str(sum(1 for r in mine if r.get("error_tag") == tag.value)), tag
    said = [r for r in exports if r.get("error_tag") == "disagree"]
    assert said and {r["question_id"] for r in said} == {"q.miskey"}
    (row,) = texts(page, '#disagree-table tr[data-item="q.miskey"] [data-figure="disagree"]')
    assert row == str(len(said))
    # beside the item's statistics: the same n, facility and flags as the items table
    beside = texts(page, '#disagree-table tr[data-item="q.miskey"] td')
    items = texts(page, '#items-table tr[data-item="q.miskey"] > td')
    assert beside[2:5] == items[1:4] and "possible miskey" in beside[5]
    assert items[-1] == str(len(said))  # the items table's Disagree column
    comments = texts(page, '#disagree-table tr[data-item="q.miskey"] q.comment')
    assert sorted(comments) == sorted(r["error_comment"] for r in said if r["error_comment"])
    assert HOSTILE_COMMENT in comments
    assert page.evaluate("document.querySelectorAll('#errors img').length") == 0
    # how sure they were: the answers at each stated confidence, as the exports hold them
    for level in ("sure", "unsure", "guess", "none"):
        cells = texts(page, f'#sureness-table tr[data-level="{level}"] td')
        stated = [r for r in exports if r.get("confidence") == (None if level == "none"
                                                                else level)]
        assert cells[1] == str(len(stated)) and len(stated) > 0, level
        assert cells[2] == str(sum(1 for r in stated if r["points"] >= r["max_points"]))


def test_no_console_error_and_no_network(page: Page, report: Path) -> None:
    page.evaluate("document.querySelector('#learners-table th button').click()")
    errors = [m for m in page.console if m.get("type") == "error" or m.get("level") == "error"]
    assert errors == [] and page.exceptions == []
    assert page.requests == [report.as_uri()]


def test_learners_table_sorts(page: Page) -> None:
    before = texts(page, "#learners-table tbody td:first-child")
    page.evaluate("document.querySelectorAll('#learners-table th button')[0].click()")
    by_name = texts(page, "#learners-table tbody td:first-child")
    assert by_name == sorted(before, key=str.lower) and by_name != before
    page.evaluate("document.querySelectorAll('#learners-table th button')[2].click()")
    answers = [int(x) for x in texts(page, "#learners-table tbody td:nth-child(3)")]
    assert answers == sorted(answers)
    page.evaluate("document.querySelectorAll('#learners-table th button')[2].click()")
    answers = [int(x) for x in texts(page, "#learners-table tbody td:nth-child(3)")]
    assert answers == sorted(answers, reverse=True)


def test_reads_on_a_phone(browser: Browser, report: Path, artifacts: Path) -> None:
    with browser.page() as p:
        p.set_viewport(390, 844, mobile=True)
        p.open(report.as_uri())
        p.screenshot(artifacts / "report-phone.png", full_page=False)
        # wide tables scroll inside their box; the page itself does not scroll sideways
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        assert p.evaluate("getComputedStyle(document.body).fontSize") == "14px"


def test_reads_with_scripts_off(browser: Browser, report: Path) -> None:
    with browser.page() as p:
        p.send("Emulation.setScriptExecutionDisabled", value=True)
        p.open(report.as_uri())
        rows = p.evaluate("document.querySelectorAll('#learners-table tbody tr').length")
        assert rows == 40


def test_print_puts_each_section_on_its_own_page(page: Page, artifacts: Path) -> None:
    from pypdf import PdfReader

    pdf = page.pdf(artifacts / "report.pdf")
    pages = [p.extract_text() or "" for p in PdfReader(pdf).pages]
    starts = []
    for title in SECTIONS:
        starts.append(next(i for i, text in enumerate(pages)
                           if any(line.strip() == title for line in text.splitlines())))
    assert starts == sorted(starts) and len(set(starts)) == len(SECTIONS), starts
    # every item's options are printed (the collapsed details open for print, then close)
    options = page.evaluate("document.querySelectorAll('table.options').length")
    assert options > 40 and sum(text.count("Chosen") for text in pages) == options
    assert page.evaluate("document.querySelectorAll('details[open]').length") == 0
    for start, title in zip(starts[1:], SECTIONS[1:], strict=True):
        first_line = next(line.strip() for line in pages[start].splitlines() if line.strip())
        assert first_line == title  # the section opens its page
