"""Moodle XML, read safely into the same items as GIFT.

Parsed with defusedxml (pure-Python expat underneath): a document type declaration, any
entity (the "billion laughs") and external references are refused, the file is at most
`source.MAX_FILE_BYTES`, and elements nest at most `MAX_DEPTH` deep. Every element keeps its
line, so each item and each problem is located.

Read: multichoice (single and multiple, with fractions), truefalse, shortanswer (with
`usecase`), numerical (tolerance, units), matching, ordering (the qtype_ordering plugin),
category, description and essay (reported by the mapping), question text formats,
per-answer and general feedback, tags and `idnumber`. Other types (cloze, calculated,
drag-and-drop…) are reported as skipped. Embedded files (`<file>`) are reported per item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vpkp_tutor.interchange.gift import Choice, GiftFile, GiftItem, MatchPair, NumberSpec, Text
from vpkp_tutor.interchange.source import MAX_FILE_BYTES, ImportError_, Located

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_DEPTH = 64
"""Deepest element nesting read (a Moodle question is about 6 deep)."""
FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain",
           "markdown": "markdown"}
LINE = "data-line"
"""Attribute holding an element's source line (set while parsing)."""


class _TooDeep(Exception):
    def __init__(self, line: int, col: int) -> None:
        super().__init__(line)
        self.line = line
        self.col = col


def _parse(data: bytes, path: str) -> Element:
    from xml.etree.ElementTree import ParseError, TreeBuilder

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    class Target(TreeBuilder):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.expat: Any = None

        def start(self, tag: Any, attrs: Any) -> Element:
            self.depth += 1
            line = self.expat.CurrentLineNumber if self.expat else 0
            if self.depth > MAX_DEPTH:
                raise _TooDeep(line, (self.expat.CurrentColumnNumber + 1) if self.expat else 1)
            attrs = dict(attrs)
            attrs[LINE] = str(line)
            return super().start(tag, attrs)

        def end(self, tag: Any) -> Element:
            self.depth -= 1
            return super().end(tag)

    target = Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    target.expat = getattr(parser, "parser", None)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except _TooDeep as exc:
        raise ImportError_(Located(path, exc.line, exc.col,
                                   f"elements nest more than {MAX_DEPTH} deep")) from None
    except DefusedXmlException as exc:
        expat = target.expat
        line = expat.CurrentLineNumber if expat else 1
        col = (expat.CurrentColumnNumber + 1) if expat else 1
        raise ImportError_(Located(path, line, col, f"refused: {_defused_reason(exc)}")) \
            from None
    except ParseError as exc:
        line, col = exc.position
        message = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise ImportError_(Located(path, line, col + 1, f"not well-formed XML: {message}")) \
            from None
    return root


def _defused_reason(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "DTDForbidden":
        return "a document type declaration (DTD); Moodle XML has none"
    if name == "EntitiesForbidden":
        return "an entity declaration (entities can expand without bound)"
    if name == "ExternalReferenceForbidden":
        return "a reference to an external file or address"
    return str(exc)


def _line(el: Element | None) -> int:
    return int(el.get(LINE, "0")) if el is not None else 0


def _text_of(el: Element | None) -> str:
    if el is None:
        return ""
    t = el.find("text")
    return (t.text or "") if t is not None else (el.text or "")


def _rich(el: Element | None, default: str = "html") -> Text | None:
    if el is None:
        return None
    fmt = FORMATS.get(el.get("format", default), "html")
    return Text(fmt, _text_of(el).strip())


def _num(text: str | None, default: float = 0.0) -> float:
    try:
        return float((text or "").strip() or default)
    except ValueError:
        return default


def parse_moodle_xml(data: bytes, path: str, encoding: str | None = None) -> GiftFile:
    """Read a Moodle XML file (see the module docstring); `encoding` is ignored (XML
    declares its own)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportError_(Located(path, 1, 1, f"the file is {len(data):,} bytes; the limit "
                                               f"is {MAX_FILE_BYTES:,}"))
    nul = data.find(b"\x00")
    if nul >= 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        line = data[:nul].count(b"\n") + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise ImportError_(Located(path, line, col, "a NUL byte: this is not a text file"))
    root = _parse(data, path)
    out = GiftFile()
    if root.tag != "quiz":
        out.errors.append(Located(path, _line(root), 1,
                                  f"the root element is <{root.tag}>, not Moodle's <quiz>"))
        return out
    category: str | None = None
    for q in root.findall("question"):
        qtype = q.get("type", "")
        line = _line(q)
        if qtype == "category":
            category = _text_of(q.find("category")).strip()
            out.items.append(GiftItem("Category", line, title=category))
            continue
        item = GiftItem("Unknown", line, category=category)
        item.title = _text_of(q.find("name")).strip() or None
        item.stem = _rich(q.find("questiontext")) or Text("html", "")
        item.general = _rich(q.find("generalfeedback"))
        if item.general is not None and not item.general.text:
            item.general = None
        idnumber = (q.findtext("idnumber") or "").strip()
        item.id = idnumber or None
        tags = [(t.findtext("text") or "").strip() for t in q.findall("tags/tag")]
        item.tags = [t for t in tags if t] or None
        files = [f.get("name", "?") for f in q.iter("file")]
        read = _READERS.get(qtype)
        if read is None:
            item.type = qtype or "untyped"
        else:
            read(item, q)
        if files:
            item.media = [f"an embedded file ({name}) dropped: the app shows text only"
                          for name in files]
        out.items.append(item)
    return out


def _answers(q: Element) -> list[Element]:
    return q.findall("answer")


def _feedback(a: Element) -> Text | None:
    fb = _rich(a.find("feedback"))
    return fb if fb is not None and fb.text else None


def _multichoice(item: GiftItem, q: Element) -> None:
    item.type = "MC"
    for a in _answers(q):
        fraction = _num(a.get("fraction"))
        item.choices.append(Choice(fraction >= 100 - 1e-6, fraction, _rich(a, "html"),
                                   _feedback(a)))


def _truefalse(item: GiftItem, q: Element) -> None:
    item.type = "TF"
    right: Text | None = None
    wrong: Text | None = None
    for a in _answers(q):
        is_true = _text_of(a).strip().lower() == "true"
        good = _num(a.get("fraction")) >= 100 - 1e-6
        if good:
            item.is_true = is_true
            right = _feedback(a)
        else:
            wrong = _feedback(a)
    # GIFT's order: the first feedback is for the wrong answer, the second for the right
    item.true_feedback, item.false_feedback = wrong, right


def _shortanswer(item: GiftItem, q: Element) -> None:
    item.type = "Short"
    item.case_sensitive = (q.findtext("usecase") or "0").strip() == "1"
    for a in _answers(q):
        fraction = _num(a.get("fraction"))
        item.choices.append(Choice(True, fraction, Text("plain", _text_of(a).strip()),
                                   _feedback(a)))


def _numerical(item: GiftItem, q: Element) -> None:
    item.type = "Numerical"
    for a in _answers(q):
        fraction = _num(a.get("fraction"))
        value = _text_of(a).strip()
        spec = None
        if value != "*":
            spec = NumberSpec("range", number=_num(value), tolerance=abs(_num(
                a.findtext("tolerance"))))
        item.choices.append(Choice(fraction >= 100 - 1e-6, fraction, None, _feedback(a),
                                   spec))
    units = [(u.findtext("unit_name") or "").strip() for u in q.findall("units/unit")
             if _num(u.findtext("multiplier"), 1.0) == 1.0]
    item.unit = next((u for u in units if u), "")
    if len([u for u in q.findall("units/unit")]) > 1:
        item.media = [*item.media, "other units (with multipliers) dropped: a numeric item "
                                   "has one unit"]


def _matching(item: GiftItem, q: Element) -> None:
    item.type = "Matching"
    for s in q.findall("subquestion"):
        left = _rich(s) or Text("html", "")
        right = _text_of(s.find("answer")).strip()
        item.pairs.append(MatchPair(left, right))


def _ordering(item: GiftItem, q: Element) -> None:
    item.type = "Ordering"
    answers = _answers(q)
    answers.sort(key=lambda a: _num(a.get("fraction")))
    for a in answers:
        item.choices.append(Choice(True, None, _rich(a, "html"), _feedback(a)))


def _description(item: GiftItem, q: Element) -> None:
    item.type = "Description"


def _essay(item: GiftItem, q: Element) -> None:
    item.type = "Essay"


_READERS = {
    "multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
    "numerical": _numerical, "matching": _matching, "ordering": _ordering,
    "description": _description, "essay": _essay,
}
