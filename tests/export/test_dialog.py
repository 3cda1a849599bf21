"""The TUI's export dialog: the progress database and its backups are refused in the dialog
(which stays open, the files untouched); an existing file is overwritten only after a yes."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.conftest import MakeApp, bank, clock, isolated_dirs, make, store  # noqa: F401
from tests.tui.helpers import settle
from vpkp_tutor.storage import SqliteProgressStore
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog
from vpkp_tutor.tui.dialogs.export import ExportDialog
from vpkp_tutor.tui.screens.home import HomeScreen


async def _open(app: VpkpApp, pilot: Pilot[None], target: Path) -> ExportDialog:
    await settle(pilot)
    app.action_export()
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#format").focus()
    await pilot.press("down", "enter")  # JSON
    dialog.query_one("#path").value = str(target)
    return dialog


async def test_the_database_is_refused_in_the_dialog(make: MakeApp, store: SqliteProgressStore) -> None:  # noqa: F811
    app = make()
    db = store.paths.db_path
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = db.read_bytes()
        for target in (db, db.with_name(db.name + "-wal"), store.paths.backups_dir / "x.sqlite3"):
            dialog = await _open(app, pilot, target)
            await pilot.click("#export")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.screen is dialog
            message = str(dialog.query_one("#export-error").render())
            assert "progress database" in message, message
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert db.read_bytes() == before
    assert not list(db.parent.glob("*.part")) and not list(db.parent.glob(".*.part"))


async def test_an_existing_file_needs_a_yes(make: MakeApp, tmp_path: Path) -> None:  # noqa: F811
    app = make()
    target = tmp_path / "scores.json"
    target.write_text("keep", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _open(app, pilot, target)
        await pilot.click("#export")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is dialog and target.read_text(encoding="utf-8") == "keep"
        assert "exists" in str(dialog.query_one("#export-error").render())
        await pilot.click("#export")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert target.read_text(encoding="utf-8").startswith("{")


async def test_the_overwrite_question_names_every_file_a_csv_export_replaces(
    make: MakeApp, tmp_path: Path  # noqa: F811
) -> None:
    """A CSV export writes the responses and the summary beside them: the question names
    whichever of the two exist, so nobody loses a summary they did not know was there."""
    from textual.widgets import Static

    app = make()
    target = tmp_path / "scores.csv"
    summary = tmp_path / "scores-summary.csv"
    summary.write_text("keep", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_export()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#path").value = str(target)  # CSV, the first format
        await pilot.click("#export")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert str(summary) in text and "Overwrite it?" in text, text
        await pilot.press("n")
        await settle(pilot)
        target.write_text("keep too", encoding="utf-8")
        await pilot.click("#export")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        text = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert f"{target} and {summary} already exist. Overwrite them?" in " ".join(
            text.split()), text
        await pilot.press("n")
        await settle(pilot)
    assert summary.read_text(encoding="utf-8") == "keep"
    assert target.read_text(encoding="utf-8") == "keep too"


async def test_the_notice_names_every_file_a_csv_export_wrote(make: MakeApp, tmp_path: Path) -> None:  # noqa: F811
    app = make()
    target = tmp_path / "scores.csv"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_export()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#path").value = str(target)  # CSV, the first format
        await pilot.click("#export")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        notes = [str(n.message) for n in app._notifications]
    summary = tmp_path / "scores-summary.csv"
    assert target.exists() and summary.exists()
    assert f"Scores written to {target} and {summary}" in notes, notes
