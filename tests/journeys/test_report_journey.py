"""Journey: a program director collects the residents' JSON exports in a folder — one made
by the app from a real progress store, the rest from the cohort — and runs
`vpkp-tutor report FOLDER --html … --csv …` in an 80×24 terminal. The summary ends with the
item flags and the files written; the HTML names the resident and flags the miskeyed item.
A damaged export dropped into the folder later stops the next run with one line naming it,
and the report already written is left as it was."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.export.conftest import populate
from tests.journeys.terminal import app_terminal, needs_tmux
from tests.report.gen import make_cohort

pytestmark = needs_tmux


def test_director_goes_from_a_folder_of_exports_to_a_report(tmp_path: Path) -> None:
    exports = tmp_path / "x"
    make_cohort(exports, learners=30)
    resident = populate(tmp_path / "store", name="Dr <i>Ada</i> Lovelace")
    try:
        resident.services.export(resident.learner_id, "json", exports / "ada.json")
    finally:
        resident.services.store.close()
    html, items = tmp_path / "r.html", tmp_path / "i.csv"

    with app_terminal(tmp_path, "--data-dir", str(tmp_path / "d"), "report", str(exports),
                      "--html", str(html), "--csv", str(items)) as term:
        screen = term.wait_for("EXITED-", timeout=60, settled=True)
        assert "EXITED-0" in screen
        joined = "".join(screen.splitlines())  # the long paths wrap
        assert f"wrote {html} (HTML report)" in joined
        assert f"wrote {items} (item analysis, one row per item)" in joined
        assert "possible miskey: " in screen

    page = html.read_text(encoding="utf-8")
    assert "Dr &lt;i&gt;Ada&lt;/i&gt; Lovelace" in page and "<i>Ada</i>" not in page
    assert "different versions of the content" in page  # the store's bank is another
    row = next(r for r in csv.DictReader(items.open(encoding="utf-8"))
               if r["question_id"] == "q.miskey")
    assert "possible_miskey" in row["flags"]

    (exports / "zz-broken.json").write_text('{"format": "vpkp-tutor/learner-export"',
                                            encoding="utf-8")
    before = html.read_bytes()
    with app_terminal(tmp_path, "--data-dir", str(tmp_path / "d"), "report", str(exports),
                      "--html", str(html), "--force") as term:
        screen = term.wait_for("EXITED-", timeout=60, settled=True)
        assert "EXITED-2" in screen
        assert "zz-broken.json" in screen and "Traceback" not in screen
    assert html.read_bytes() == before
