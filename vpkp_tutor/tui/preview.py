"""`vpkp-tutor preview FILE[#ID]`: one lesson, question or case as a learner sees it,
reloaded on every save.

The preview is the study app (`VpkpApp`) over a throwaway progress store, a preview
learner, and the content of the course the file belongs to. Its first screen,
`PreviewScreen`, shows what is previewed and opens the item on the app's own lesson, quiz or
case screen; when the item does not validate, the screen shows the file's problems instead.
A thread worker watches the file's folder (watchfiles, imported there); on a save the item is
checked again — only the changed file is read again — and shown afresh, with no restart.
`SETTLE_AFTER_S` after the last reload (while the educator is back in the editor), the
collector runs once and what is alive then (the course's content) is kept out of later
collections, so that no full collection over a large course holds up the next reload.
"""

from __future__ import annotations

import gc
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from vpkp_tutor.services.preview import PreviewLoader, PreviewState, code_name
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.base import VpkpScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from vpkp_tutor.services import Services


class PreviewScreen(VpkpScreen):
    """What is previewed, and its problems; the item opens over it."""

    DEFAULT_CSS = """
    PreviewScreen #preview-head { padding: 0 1; background: $boost; }
    PreviewScreen #preview-body { padding: 1 2; }
    PreviewScreen .problem-error { color: $error; }
    PreviewScreen .problem-warning { color: $warning; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_item", "Open", id="preview.open"),
        Binding("r", "reload", "Reload", id="preview.reload"),
        Binding("q", "app.quit", "Quit", id="preview.quit"),
    ]

    HOW_TO = ("The preview shows one content file as a learner sees it. Save the file in "
              "your editor and it is checked and shown again. {open} opens the item again; "
              "{reload} reloads now; {quit} quits.")

    def compose(self) -> ComposeResult:
        yield Static(id="preview-head", markup=False)
        with VerticalScroll(id="preview-body"):
            yield Static(id="preview-problems", markup=False)
        yield Footer()

    def action_back(self) -> None:
        """Nothing beneath: escape does not leave the preview (q does)."""

    def action_open_item(self) -> None:
        """Open the item (again)."""
        app = self.app
        if isinstance(app, PreviewApp):
            app.open_item()

    def action_reload(self) -> None:
        """Check the file again now."""
        app = self.app
        if isinstance(app, PreviewApp):
            app.reload()

    def show(self, state: PreviewState, file: Path, shown_at: int) -> None:
        """Show the state of the check."""
        from rich.text import Text

        errors = [p for p in state.problems if p.severity == "error"]
        head = f"Preview · {file} · check {shown_at} · "
        head += (f"{len(errors)} error{'s' if len(errors) != 1 else ''}" if errors
                 else "valid")
        self.query_one("#preview-head", Static).update(head + " · reloads when you save")
        body = Text()
        if state.error:
            body.append(state.error + "\n\n", style="bold")
        for p in state.problems:
            style = "red" if p.severity == "error" else "yellow"
            body.append(f"{file}:{p.line}:{p.column}: {p.severity}: ", style=style)
            body.append(f"{p.message} [{p.code} {code_name(p.code)}]\n")
        if not state.error:
            body.append("\nEnter opens the items that do validate · r reloads · q quits\n"
                        if errors else "\nEnter opens the item again · r reloads · q quits\n")
        self.query_one("#preview-problems", Static).update(body)


class PreviewApp(VpkpApp):
    """The study app showing one previewed file."""

    KEEPS_PROGRESS = False

    SETTLE_AFTER_S = 2.0
    """Seconds after the last reload before the heap is settled (see the module doc)."""

    def __init__(self, file: Path, item: str | None = None, *, watch: bool = True) -> None:
        from vpkp_tutor.domain.model import ContentBank
        from vpkp_tutor.services import Services
        from vpkp_tutor.services.preview import open_preview_store

        self._dir = tempfile.TemporaryDirectory(prefix="vpkp-preview-")
        self._store = open_preview_store(Path(self._dir.name))
        super().__init__(Services(ContentBank(), self._store))
        self.file = file
        self.loader = PreviewLoader(file, item)
        self.state = PreviewState()
        self.checks = 0
        """How many times the file has been checked (shown, and read by tests)."""
        self._watch = watch
        self.watching = False
        """True once the file is being watched (saves from then on are seen)."""
        self._stop = threading.Event()
        self.preview_screen = PreviewScreen()
        self._settle_timer: Timer | None = None
        self.settled = 0
        """How many times the heap was settled after a reload (read by tests)."""

    def get_default_screen(self) -> Screen[None]:
        self._load_keymap()
        self.learner = self.services.open_learner("Preview")
        return self.preview_screen

    def on_mount(self) -> None:
        super().on_mount()
        self.reload()
        if self._watch:
            self.watch_file()

    def on_unmount(self) -> None:
        self._stop.set()
        super().on_unmount()
        self._store.close()
        self._dir.cleanup()

    @work(thread=True, exclusive=True, group="preview-load")
    def reload(self) -> None:
        """Check the file again (in a thread) and show the result."""
        state = self.loader.load()
        self.call_from_thread(self._show, state)

    @work(thread=True, exclusive=True, group="preview-watch")
    def watch_file(self) -> None:
        """Watch the file's folder; reload when the file is saved (editors that save by
        replacing the file are seen too)."""
        import watchfiles

        real = os.path.realpath(self.file)
        folder = os.path.dirname(real)

        def mine(_: Any, path: str) -> bool:
            return os.path.realpath(path) == real

        for changes in watchfiles.watch(folder, watch_filter=mine, stop_event=self._stop,
                                        debounce=50, step=20, rust_timeout=200,
                                        yield_on_timeout=True, raise_interrupt=False):
            if not changes:  # the watcher is running
                self.watching = True
                continue
            state = self.loader.load()
            self.call_from_thread(self._show, state)

    def _show(self, state: PreviewState) -> None:
        self.state = state
        self.checks += 1
        self._swap_services(state)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.preview_screen.show(state, self.file, self.checks)
        if not state.error and not any(p.severity == "error" for p in state.problems):
            self.open_item()  # (with errors, they are shown first: Enter opens the rest)
        if self._settle_timer is not None:
            self._settle_timer.stop()
        self._settle_timer = self.set_timer(self.SETTLE_AFTER_S, self._settle)

    def _settle(self) -> None:
        """Collect what the reloads left behind (screens, the content replaced) and keep
        what is alive now out of later collections: a full collection walks every object,
        and a large course's would otherwise hold up a later reload now and then."""
        self._settle_timer = None
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.settled += 1

    def _swap_services(self, state: PreviewState) -> None:
        from vpkp_tutor.domain.model import ContentBank
        from vpkp_tutor.services import Services

        store = self.services.store
        bank = state.bank or ContentBank()
        if state.questions and state.lesson is None and state.case is None:
            bank = ContentBank(questions=state.questions, course=bank.course)  # its topics
        services: Services = Services(bank, store)
        self.services = services

    def open_item(self) -> None:
        """Open the item on the app's own screen."""
        state = self.state
        if state.error or self.learner is None:
            return
        if state.lesson is not None:
            from vpkp_tutor.tui.screens.lesson import LessonScreen

            self.push_screen(LessonScreen(state.lesson))
        elif state.case is not None:
            from vpkp_tutor.tui.screens.case import CaseScreen

            self.push_screen(CaseScreen(state.case))
        elif state.questions:
            from vpkp_tutor.domain.progress import QuizMode, QuizSettings

            attempt = self.services.build_quiz(
                self.learner.id, QuizSettings(mode=QuizMode.TUTOR,
                                              count=len(state.questions), seed=0))
            self.run_attempt(attempt)
