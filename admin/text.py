"""Text from people, cleaned once on the way in: the API, the console forms, the roster import and
the kiosk all pass free text through here (``Line``/``Paragraph`` in the schemas, ``field_text`` in
the services that take text outside one).

What goes: control characters (a vertical tab in a complaint once broke every export), the
Unicode line and paragraph separators, the bidirectional overrides and isolates that make a name
read backwards, and byte-order marks. What changes: text is NFC-normalised (the same name typed on
two keyboards compares equal); every kind of line break becomes a newline in a paragraph and a
space in a line (an Excel cell with Alt+Enter is still one name; between two Chinese characters
the break simply goes); zero-width characters are removed from lines, where they only hide
differences between names. Lengths are then counted in characters of the cleaned text. NUL is
refused before this (validation.parse), since no database stores it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from flask_babel import gettext as _
from pydantic import BeforeValidator, StringConstraints

from .errors import Invalid

# Line breaks of every kind: CR LF, CR, LF, VT, FF, FS, GS, RS, NEL, LINE and PARAGRAPH SEPARATOR.
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0 and C1 controls (a tab becomes a space first), bidi embeddings, overrides, isolates and
# marks, the byte-order mark / zero-width no-break space.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]")
# Invisible in a name: zero-width space, non-joiner, joiner, word joiner, soft hyphen.
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\u00ad]")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_JOIN_CJK = re.compile(rf"(?<={_CJK})\n(?={_CJK})")
_SPACES = re.compile(r"[ \u00a0\u3000]{2,}")


def _common(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    value = _BREAKS.sub("\n", value)
    return _CONTROLS.sub("", value.replace("\t", " "))


def clean_line(value: str) -> str:
    """One line of text (a name, a title, a number): no breaks, no invisible characters, no
    runs of spaces, trimmed."""
    value = _ZERO_WIDTH.sub("", _common(value))
    value = _JOIN_CJK.sub("", value.strip("\n")).replace("\n", " ")
    return _SPACES.sub(" ", value).strip()


def clean_paragraph(value: str) -> str:
    """Text that may run over several lines (a complaint, a description): newlines kept (at most
    two in a row), trailing spaces of each line and the whole trimmed."""
    value = "\n".join(line.rstrip() for line in _common(value).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", value).strip()


def field_text(value, field: str, *, max_length: int, required: bool = False, multiline: bool = True) -> str:
    """Text a service takes from a form or a JSON body outside a schema: cleaned as a paragraph
    (or a line), then refused with ``Invalid`` naming ``field`` when empty but required, too long,
    not text, or holding NUL."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("Wrong kind of value."), field=field)
    if "\x00" in value:
        raise Invalid(_("Text may not contain NUL characters."), field=field)
    text = clean_paragraph(value) if multiline else clean_line(value)
    if required and not text:
        raise Invalid(_("This field cannot be empty."), field=field)
    if len(text) > max_length:
        raise Invalid(_("At most %(n)s characters.", n=max_length), field=field)
    return text


def _line_or_as_is(value):
    return clean_line(value) if isinstance(value, str) else value


def _paragraph_or_as_is(value):
    return clean_paragraph(value) if isinstance(value, str) else value


# The cleaning validator comes last: pydantic runs the outermost "before" validator first, then the
# string checks (whose errors keep their string_* types and messages).

def Line(max_length: int, min_length: int = 0, **constraints):  # noqa: N802 - used as a type
    """A pydantic string type for one line of text, cleaned, then checked for length."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, **constraints),
                     BeforeValidator(_line_or_as_is)]


def Paragraph(max_length: int, min_length: int = 0):  # noqa: N802 - used as a type
    """A pydantic string type for text over several lines, cleaned, then checked for length."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     BeforeValidator(_paragraph_or_as_is)]
