"""The app's settings: one typed object, `AppSettings`, and the one place where each setting's
key, default, help, check and stored form are defined (`SETTINGS`).

Settings are stored as text in the progress database (`setting` table). `load_settings`
reads and checks every one; a stored value that fails its check (written by hand or by an
older version) is left out — the default applies — and reported. The app, the Settings
screen and `vpkp-tutor config` all go through here, so no other module spells a key.

Two checks need the user interface (which themes exist; which key bindings a keymap may
move): they come in as `UiRules`. Without them (`SHAPE_ONLY`) a theme must be a name and a
keymap a JSON object of keys, which is enough to apply the desired retention wherever the
store is used.

Adding a setting: a field of `AppSettings` and an entry in `SETTINGS` (a test checks that the
two agree); `vpkp-tutor config` lists it when `in_config` is true.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from msgspec import Struct, field

from vpkp_tutor.domain.confidence import ScoringMode
from vpkp_tutor.storage.review import DEFAULT_RETENTION
from vpkp_tutor.storage.review import parse_retention as parse_retention

DEFAULT_THEME = "textual-dark"
"""Theme used until the learner picks another one."""


class AppSettings(Struct, frozen=True, kw_only=True):
    """Every setting, checked and typed; a field absent from the store has its default."""

    theme: str = DEFAULT_THEME
    """The colour theme (ctrl+t in the app)."""
    desired_retention: float = DEFAULT_RETENTION
    """Spaced review: the chance of recall aimed for when an item falls due."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Keys moved by binding id (`{"quiz.flag": "x"}`); see `tui/keymap.py`."""
    last_learner: str = ""
    """The id of the learner who studied last (the picker offers them first)."""
    last_courses: dict[str, str] = field(default_factory=dict)
    """By learner id, the id of the course the learner last chose among several opened
    together (`--content A --content B`): the app opens it for them."""
    ask_confidence: bool = True
    """Ask how sure the learner is (1 sure, 2 unsure, 3 guess) after each answer, before
    the feedback (Escape or Enter skips one; Settings turns the question off)."""
    scoring: ScoringMode = ScoringMode.PLAIN
    """How quiz results are scored: plain points, or certainty-based marks beside them."""
    lrs_endpoint: str = ""
    """The Learning Record Store's xAPI base (`http://127.0.0.1:8100/xAPI/`); "" = none."""
    lrs_credentials_file: str = ""
    """A 0600 file holding the LRS key and secret (`key:secret`); the environment variables
    `VPKP_TUTOR_LRS_KEY`/`VPKP_TUTOR_LRS_SECRET` come first. The secret is never stored."""
    lrs_batch_size: int = 50
    """Statements sent in one POST by `vpkp-tutor sync`."""
    lrs_sync_minutes: int = 0
    """While the app is open, send the learner's statements to the LRS every this many
    minutes (and once soon after the learner is chosen); 0 = only by `vpkp-tutor sync`."""
    xapi_base: str = ""
    """The program's base IRI of xAPI activities and extensions ("" = a placeholder)."""
    xapi_home_page: str = ""
    """The actor account's `homePage`: the program's site ("" = a placeholder)."""


class UiRules(Protocol):
    """The checks only the user interface can make; each raises ValueError saying why."""

    def theme(self, name: str) -> str:
        """`name` when it names a theme."""
        ...

    def keymap(self, raw: str) -> dict[str, str]:
        """The keymap in `raw` (JSON), checked against the app's bindings."""
        ...


class _ShapeOnly:
    """Checks of form only, for where no user interface is at hand."""

    def theme(self, name: str) -> str:
        if not name.strip():
            raise ValueError("a theme needs a name")
        return name

    def keymap(self, raw: str) -> dict[str, str]:
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"a keymap is a JSON object such as {{\"quiz.flag\": \"f\"}}; "
                             f"this is not JSON ({exc})") from None
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError('a keymap is a JSON object such as {"quiz.flag": "x"}')
        return value


SHAPE_ONLY: UiRules = _ShapeOnly()
"""Rules that check only the form of the values."""


class Setting(NamedTuple):
    """How one setting is checked, stored and explained."""

    help: str
    parse: Callable[[str, UiRules], Any]
    """The value from its stored (or typed) text; ValueError saying why it is not allowed."""
    dump: Callable[[Any], str]
    """The stored text of a value."""
    in_config: bool = True
    """Shown and changed by `vpkp-tutor config` (the last learner is the app's own)."""
    quiet_default: bool = False
    """`vpkp-tutor config` shows the default as nothing (an empty keymap moves no key)."""
    advice: Callable[[str], str | None] | None = None
    """What to tell whoever stores this value about what it names (e.g. a file not there
    yet, which the value may rightly name before it is written); None when all is well."""


LAST_LEARNER = "last_learner"
"""The key of the last learner (the store clears it when that learner is deleted)."""
LAST_COURSES = "last_courses"
"""The key of each learner's last course (the store drops a learner's entry when that
learner is deleted)."""


def _keymap_text(keymap: Mapping[str, str]) -> str:
    return json.dumps(dict(keymap), ensure_ascii=False)


def _last_courses(raw: str, rules: UiRules) -> dict[str, str]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError('a JSON object of learner id to course id, such as {"ID": '
                         '"stats-basics"}')
    return value


def parse_switch(raw: str) -> bool:
    """An on/off setting from `on`/`off` (also true/false, yes/no, 1/0)."""
    text = raw.strip().lower()
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    raise ValueError(f"this setting is on or off, got {raw!r}")


def parse_scoring(raw: str) -> ScoringMode:
    """A scoring mode: `plain` or `cbm`."""
    try:
        return ScoringMode(raw.strip().lower())
    except ValueError:
        raise ValueError(f"scoring is plain or cbm, got {raw!r}") from None
def _http_url(raw: str, what: str) -> str:
    from urllib.parse import urlsplit

    text = raw.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} is an http:// or https:// address, such as "
                         "https://lms.example.org/xapi/")
    if parts.username or parts.password:
        raise ValueError(f"{what} must not hold a key or secret; set VPKP_TUTOR_LRS_KEY and "
                         "VPKP_TUTOR_LRS_SECRET or `config lrs_credentials_file PATH`")
    if any(c.isspace() for c in text):
        raise ValueError(f"{what} has a space in it")
    return text


def _endpoint(raw: str, rules: UiRules) -> str:
    text = _http_url(raw, "the LRS endpoint")
    return text if text.endswith("/") else text + "/"


def _base(raw: str, rules: UiRules) -> str:
    text = _http_url(raw, "the xAPI base")
    return text if text.endswith("/") else text + "/"


def _home_page(raw: str, rules: UiRules) -> str:
    return _http_url(raw, "the account home page")


def _credentials_file(raw: str, rules: UiRules) -> str:
    if not raw.strip() or "\0" in raw:
        raise ValueError("give the path of the file holding `key:secret`")
    return raw.strip()


def _credentials_advice(path: str) -> str | None:
    """What `vpkp-tutor sync` would refuse about the credentials file now."""
    from vpkp_tutor.lrs.credentials import CredentialsError, load_credentials

    try:
        load_credentials(path, environ={})
    except CredentialsError as exc:
        return f"{exc} (`vpkp-tutor sync` refuses it until then)"
    return None


def _batch_size(raw: str, rules: UiRules) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("the batch size is a whole number from 1 to 1000") from None
    if not 1 <= value <= 1000:
        raise ValueError("the batch size is a whole number from 1 to 1000")
    return value


def _sync_minutes(raw: str, rules: UiRules) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("minutes between background syncs: a whole number from 0 (off) to "
                         "1440") from None
    if not 0 <= value <= 1440:
        raise ValueError("minutes between background syncs: a whole number from 0 (off) to "
                         "1440")
    return value


SETTINGS: dict[str, Setting] = {
    "theme": Setting("colour theme (ctrl+t in the app)",
                     lambda raw, rules: rules.theme(raw), str),
    "desired_retention": Setting(
        "spaced review: the chance of recall aimed for when an item falls due, 0.70–0.97 "
        "(higher: more frequent reviews)", lambda raw, rules: parse_retention(raw), repr),
    "keymap": Setting('keys moved by binding id, as JSON: {"quiz.flag": "x"} (see '
                      '`vpkp-tutor bindings`)', lambda raw, rules: rules.keymap(raw),
                      _keymap_text, quiet_default=True),
    LAST_LEARNER: Setting("the learner who studied last", lambda raw, rules: raw, str,
                            in_config=False),
    LAST_COURSES: Setting("the course each learner chose last among several",
                          _last_courses, _keymap_text, in_config=False, quiet_default=True),
    "ask_confidence": Setting(
        "ask how sure you are (1 sure, 2 unsure, 3 guess) after each answer: on (the "
        "default) or off",
        lambda raw, rules: parse_switch(raw), lambda v: "on" if v else "off"),
    "scoring": Setting(
        "quiz scoring: plain (points) or cbm (certainty-based marks: 3/2/1 if right, "
        "-6/-2/0 if wrong, for sure/unsure/guess)", lambda raw, rules: parse_scoring(raw),
        lambda v: str(v.value) if isinstance(v, ScoringMode) else str(v)),
    "lrs_endpoint": Setting("the Learning Record Store's xAPI base for `vpkp-tutor sync`, "
                            "e.g. http://127.0.0.1:8100/xAPI/", _endpoint, str,
                            quiet_default=True),
    "lrs_credentials_file": Setting(
        "a file (permissions 0600) holding the LRS key and secret as key:secret; "
        "VPKP_TUTOR_LRS_KEY and VPKP_TUTOR_LRS_SECRET come first", _credentials_file, str,
        quiet_default=True, advice=_credentials_advice),
    "lrs_batch_size": Setting("statements sent to the LRS in one request, 1–1000",
                              lambda raw, rules: _batch_size(raw, rules), str),
    "lrs_sync_minutes": Setting(
        "while the app is open, send statements to the LRS every this many minutes (and "
        "soon after a learner is chosen); 0 = off, only `vpkp-tutor sync` sends",
        _sync_minutes, str),
    "xapi_base": Setting("the program's base IRI of xAPI activities and extensions, e.g. "
                         "https://lms.example.org/xapi/vpkp/", _base, str,
                         quiet_default=True),
    "xapi_home_page": Setting("the program's site, the homePage of each learner's xAPI "
                              "account, e.g. https://lms.example.org", _home_page, str,
                              quiet_default=True),
}
"""Every setting by key; the keys are the fields of `AppSettings`."""

DEFAULTS = AppSettings()
"""Every setting at its default."""


class SettingsStore(Protocol):
    """Where settings are kept (the progress store)."""

    def get_setting(self, key: str, default: str = "") -> str: ...
    def set_setting(self, key: str, value: str) -> None: ...


def check(key: str, raw: str, rules: UiRules = SHAPE_ONLY) -> Any:
    """The value of setting `key` from the text `raw`; ValueError saying why it is not
    allowed (KeyError for a key that is no setting)."""
    return SETTINGS[key].parse(raw, rules)


def stored_text(key: str, value: Any) -> str:
    """How setting `key` with this value is stored."""
    return SETTINGS[key].dump(value)


def current_text(settings: AppSettings, key: str) -> str:
    """The stored form of setting `key` in `settings`."""
    return stored_text(key, getattr(settings, key))


def load_settings(store: SettingsStore, rules: UiRules = SHAPE_ONLY
                  ) -> tuple[AppSettings, dict[str, str]]:
    """Every setting from the store, checked: the settings (defaults where nothing usable is
    stored) and, by key, why a stored value was left out."""
    values: dict[str, Any] = {}
    refused: dict[str, str] = {}
    for key, setting in SETTINGS.items():
        raw = store.get_setting(key, "")
        if not raw:
            continue
        try:
            values[key] = setting.parse(raw, rules)
        except ValueError as exc:
            refused[key] = str(exc)
    return AppSettings(**values), refused


def save_changes(store: SettingsStore, before: AppSettings, after: AppSettings) -> None:
    """Store each setting whose value differs between `before` and `after`."""
    for key in SETTINGS:
        text = current_text(after, key)
        if text != current_text(before, key):
            store.set_setting(key, text)
