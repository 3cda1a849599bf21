"""Keys that arrive together (a fast typist, one packet over SSH) are handled in order, but
a key's binding runs only when the key has bubbled up to the app, after the keys sent with it
have been handed on to the widget that had the focus. Two helpers keep such keys where the
learner meant them: a key whose action moves the focus into a field is acted on where it
arrives (`runs_here`), and a character that then reaches the screen instead of the field is
typed in the field (`type_in_focused_field`). A field's own keys (Backspace, the arrows…) are
bindings too, while the characters are typed where they arrive: `run_own_binding` acts on
such a key at once, so that Backspace and 8 sent together over "6" leave "8", not "6"."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


def runs_here(node: Widget, key: str, action: str) -> bool:
    """True when `key` runs `node`'s `action` now (with the keymap applied): the caller
    runs it at once, so that the keys after it go to the field it focuses."""
    active = node.screen.active_bindings.get(key)
    return active is not None and active.node is node and active.binding.action == action


async def run_own_binding(node: Widget, event: events.Key) -> bool:
    """Run at once the binding `node` itself has for this key (with the keymap applied),
    where Textual would run it only once the key had bubbled up. True when it ran (the event
    is stopped)."""
    active = node.screen.active_bindings.get(event.key)
    if active is None or active.node is not node or not active.enabled:
        return False
    event.stop()
    event.prevent_default()
    await node.run_action(active.binding.action)
    return True


def type_in_focused_field(node: Widget, event: events.Key) -> bool:
    """Type a printable key that reached `node` (a screen) while a plain text field has the
    focus: a field takes every printable key it is sent, so one that reaches the screen was
    sent before the focus moved into the field. True when typed (the caller stops the
    event). Answer fields are left to their answers (a number field lets letters through
    to the quiz's keys on purpose)."""
    from vpkp_tutor.tui.widgets.answer_base import AnswerField

    field = node.screen.focused
    character = event.character
    if (not isinstance(field, Input) or isinstance(field, AnswerField) or character is None
            or not event.is_printable):
        return False
    field.insert_text_at_cursor(character)
    return True
