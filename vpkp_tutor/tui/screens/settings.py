"""Settings: the desired retention of spaced review, confidence (ask how sure after each
answer; certainty-based marking), and the key bindings (rebind one by pressing its new key;
put back its default keys). The theme is changed with ctrl+t.

Both are part of the app's settings (`services.settings`), the same ones `vpkp-tutor
config` shows and changes, and take effect at once.
"""

from __future__ import annotations

import re
from typing import ClassVar

from msgspec.structs import replace
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Checkbox, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from vpkp_tutor.domain.confidence import ScoringMode
from vpkp_tutor.services.settings import parse_retention
from vpkp_tutor.tui.keymap import BindingInfo, bindings, key_refused
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.widgets.field import Field
from vpkp_tutor.tui.widgets.footer import KeyFooter
from vpkp_tutor.tui.widgets.text import literal


def place(owner: str) -> str:
    """Where a binding applies, from the class that owns it: `HomeScreen` → `Home`."""
    if owner == "VpkpApp":
        return "everywhere"
    if owner == "VpkpScreen":
        return "every screen"
    if owner.startswith("Answer"):
        return "Answers"
    for suffix in ("Screen", "Dialog"):
        owner = owner.removesuffix(suffix)
    return " ".join(w for w in re.findall(r"[A-Z][a-z]*", owner)).capitalize() or owner


class SettingsScreen(VpkpScreen):
    """Desired retention and key bindings."""

    HOW_TO: ClassVar[str] = (
        "Desired retention: type a value from 0.70 to 0.97 and press Enter. Confidence: tab "
        "to a box, space ticks it — \"Ask how sure\" asks 1 sure / 2 unsure / 3 guess after "
        "each answer (on by default); \"CBM scoring\" adds certainty-based marks (3/2/1 if right, "
        "-6/-2/0 if wrong) to the results. Keys: ↑/↓ choose "
        "a binding, Enter then press its new key (escape cancels), Delete puts its default "
        "keys back. Changes are saved and apply at once."
    )

    DEFAULT_CSS = """
    #confidence-row {
        height: 1;
    }
    #confidence-row Checkbox {
        width: auto;
        margin-right: 3;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "reset_key", "Default key", id="settings.reset_key"),
    ]
    """Delete resets the highlighted binding to its default keys."""

    def __init__(self) -> None:
        super().__init__()
        self.binding_list = bindings()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="settings-body"):
            yield Static(Content.styled("Spaced review", "bold $accent"), classes="settings-head")
            with Horizontal(id="retention-row"):
                yield Static("Desired retention ", id="retention-label")
                yield Field(id="retention", restrict=r"[0-9.]*", max_length=6, compact=True)
            yield Static(Content.styled(
                "The chance of recall aimed for when an item falls due, 0.70–0.97; higher "
                "means more frequent reviews. Applies to reviews from now on.", "dim"))
            yield Static(id="retention-status")
            with Horizontal(id="confidence-row"):
                yield Checkbox(id="ask-confidence", compact=True)
                yield Checkbox(id="cbm-scoring", compact=True)
            yield Static(Content.assemble(
                ("Keys", "bold $accent"),
                ("  Enter: press a new key · Delete: default keys · theme: ctrl+t", "dim")),
                classes="settings-head")
            yield OptionList(id="keys")
            yield Static(id="keys-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Settings"
        settings = self.services.settings
        self.query_one("#retention", Input).value = f"{settings.desired_retention:g}"
        with self.prevent(Checkbox.Changed):
            self.query_one("#ask-confidence", Checkbox).value = settings.ask_confidence
            self.query_one("#cbm-scoring", Checkbox).value = (
                settings.scoring is ScoringMode.CBM)
        self._label_boxes()
        self.fill()
        self.query_one("#keys", OptionList).focus()

    def _label_boxes(self) -> None:
        """Each box's label says whether it is on (the tick alone is only a colour)."""
        ask = self.query_one("#ask-confidence", Checkbox)
        cbm = self.query_one("#cbm-scoring", Checkbox)
        ask.label = f"Ask how sure (1/2/3): {'on' if ask.value else 'off'}"
        cbm.label = f"CBM scoring: {'on' if cbm.value else 'off'}"

    # -- retention ---------------------------------------------------------------------------
    @on(Input.Submitted, "#retention")
    def _retention(self, event: Input.Submitted) -> None:
        status = self.query_one("#retention-status", Static)
        try:
            retention = parse_retention(event.value.strip())
        except ValueError as exc:
            status.update(Content.styled(f"Not saved: {exc}.", "$error"))
            return
        self.services.save_settings(replace(self.services.settings,
                                            desired_retention=retention))
        status.update(Content.styled(f"Saved: desired retention {event.value.strip()}.",
                                     "$success"))

    # -- confidence ------------------------------------------------------------------------
    @on(Checkbox.Changed, "#ask-confidence")
    def _ask_confidence(self, event: Checkbox.Changed) -> None:
        self.services.save_settings(replace(self.services.settings,
                                            ask_confidence=event.value))
        self._label_boxes()
        self.query_one("#retention-status", Static).update(Content.styled(
            "Saved: " + ("how sure you are is asked after each answer." if event.value
                         else "confidence is not asked."), "$success"))

    @on(Checkbox.Changed, "#cbm-scoring")
    def _cbm(self, event: Checkbox.Changed) -> None:
        scoring = ScoringMode.CBM if event.value else ScoringMode.PLAIN
        self.services.save_settings(replace(self.services.settings, scoring=scoring))
        self._label_boxes()
        self.query_one("#retention-status", Static).update(Content.styled(
            "Saved: " + ("results show certainty-based marks." if event.value
                         else "plain scoring."), "$success"))

    # -- keys --------------------------------------------------------------------------------
    def keymap(self) -> dict[str, str]:
        """The keymap in use (empty when none is stored, or when the stored one was left
        out)."""
        return dict(self.services.settings.keymap)

    def fill(self) -> None:
        """One row per binding: its keys now, what it does, where, and its id."""
        keymap = self.keymap()
        options = self.query_one("#keys", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        shown = [(b, self.key_display(keymap.get(b.id, b.keys))) for b in self.binding_list]
        # columns as wide as their longest entry (the place names were cut at 12)
        wk = min(12, max((len(k) for _, k in shown), default=1))
        wp = max((len(place(b.where)) for b, _ in shown), default=1)
        for b, keys in shown:
            changed = b.id in keymap
            options.add_option(Option(Content.assemble(
                (f"{keys:<{wk}.12}", "bold $warning" if changed else "bold"), " ",
                literal(f"{b.description:<16.16}"), " ", (f"{place(b.where):<{wp}}", "dim"),
                " ", (b.id, "dim"),
            ), id=b.id))
        options.highlighted = highlighted if highlighted is not None else 0

    def key_display(self, keys: str) -> str:
        """Keys as the footer shows them: `f1,question_mark` → `f1 ?`."""
        return " ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))

    def _chosen(self) -> BindingInfo | None:
        options = self.query_one("#keys", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return next((b for b in self.binding_list if b.id == option_id), None)

    @on(OptionList.OptionSelected, "#keys")
    def _rebind(self, event: OptionList.OptionSelected) -> None:
        from vpkp_tutor.tui.dialogs.key_capture import KeyCaptureDialog

        chosen = self._chosen()
        if chosen is None:
            return

        def done(key: str | None) -> None:
            if key is not None:
                self.set_key(chosen, key)

        self.app.push_screen(KeyCaptureDialog(f"{chosen.description} ({chosen.id})"), done)

    def set_key(self, binding: BindingInfo, key: str) -> None:
        """Move `binding` to `key` unless another binding that is active in the same places
        already uses it; save and apply the keymap."""
        keymap = self.keymap()
        refused = key_refused(binding, key, keymap, self.binding_list)
        if refused:
            self._keys_status(f"Not changed: {refused}.", "$error")
            return
        if key == binding.keys:
            keymap.pop(binding.id, None)
        else:
            keymap[binding.id] = key
        self._save(keymap)
        self._keys_status(f"{binding.description}: {self.key_display(key)}.", "$success")

    def action_reset_key(self) -> None:
        """Put the highlighted binding's default keys back."""
        chosen = self._chosen()
        if chosen is None:
            return
        keymap = self.keymap()
        if keymap.pop(chosen.id, None) is not None:
            self._save(keymap)
        self._keys_status(f"{chosen.description}: {self.key_display(chosen.keys)} (default).",
                          "$success")

    def _save(self, keymap: dict[str, str]) -> None:
        self.services.save_settings(replace(self.services.settings, keymap=keymap))
        self.app.set_keymap(keymap)
        self.fill()

    def _keys_status(self, text: str, style: str) -> None:
        self.query_one("#keys-status", Static).update(Content.styled(text, style))
