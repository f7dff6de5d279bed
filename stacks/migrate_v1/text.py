"""Text that cannot be forged: every user value this tool prints goes through `quoted` (a JSON
string or number: a newline becomes \\n, U+2028 becomes \\u2028), and every comment or message
line through `printable`, which escapes whatever would still end a line or hide text (control
characters, line and paragraph separators). YAML itself is only ever written by yaml.safe_dump."""

from __future__ import annotations

import json
from typing import Any

MAX_SHOWN = 60  # characters of a user's string quoted in a message


def quoted(value: Any) -> str:
    """A user value as JSON text: strings quoted and escaped (ASCII only), numbers as numbers."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return json.dumps(value[:MAX_SHOWN], ensure_ascii=True)[:-1] + '..."'
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= MAX_SHOWN else f"{text[:20]}... ({len(text)} digits)"


def as_json(value: Any) -> str:
    """A value this tool computed (scale settings, a probe), in full, as JSON text."""
    return json.dumps(value, ensure_ascii=True)


def printable(text: str) -> str:
    """`text` on one line: every character that is not printable (\\n, \\r, \\t, NEL, U+2028,
    U+2029, other controls and format characters) written as its escape."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def comment(text: str) -> str:
    """One YAML comment line."""
    return f"# {printable(text)}".rstrip()
