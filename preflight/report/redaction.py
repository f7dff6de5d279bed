"""One redaction for everything preflight prints: plans, check results, errors, pack messages.

A plan already shows secret-marked values as "[secret]"; text from elsewhere (a policy pack's
violation message, a program's error) can still echo a secret value, so every output passes
through `Redactor`, which knows every secret string of the run: the stack's secure config values
(decrypted or placeholders), the values behind secret markers in the resource graph, each line
of a multi-line secret (a PEM's lines) and their JSON-escaped and base64 forms.

The search is linear in the size of the text and of the secrets, however many there are: each
secret form is indexed by its first characters (4 for short ones, 16 for the others); the text is
scanned once for those prefixes (by str.find when there are few, else by one lookup per
position), and each candidate is confirmed by a set lookup of the exact length. Every occurrence
of every form is found, overlapping ones merged, and each merged span becomes "[secret]".

A JSON document as preflight prints it (sorted keys, two-space indent) is redacted value by value:
its own keys and structure are never rewritten, so a secret that happens to be "resources" or
"urn" leaves the plan readable by `preflight diff`; keys inside `inputs` and `outputs` (the
program's data) are redacted like values, and a number that shows a secret becomes "[secret]".
It needs no Pulumi SDK, so commands that print no plan start fast.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from typing import Any

# Shorter strings are too likely to be ordinary words; such secrets are still never shown by a
# plan (markers), only an echo of one this short in free text would pass.
SECRET_TEXT = "[secret]"
MIN_SECRET_CHARS = 4
MIN_LINE_CHARS = 16
SHORT_PREFIX, LONG_PREFIX = 4, 16
# Up to this many distinct prefixes, one str.find pass each beats a lookup per position.
FIND_PASSES = 32
# Keys of a printed JSON document under which keys are the program's data, not structure.
DATA_KEYS = frozenset({"inputs", "outputs"})
_SEPARATOR = "\0"


def _json_literal(text: str) -> bool:
    """A secret boolean or null: replacing its text would corrupt JSON output and hide little."""
    return text in ("true", "false", "null", "True", "False", "None")


def _escaped(piece: str) -> str:
    """As inside a JSON string: most secrets need no escape, and json.dumps is the slow part."""
    if piece.isascii() and piece.isprintable() and '"' not in piece and "\\" not in piece:
        return piece
    return json.dumps(piece)[1:-1]


class _Index:
    """Forms of at least `prefix` characters by their first `prefix` characters: the one form,
    or [(length, forms)] longest first when several share the prefix."""

    def __init__(self, prefix: int) -> None:
        self.prefix = prefix
        self.lookup: dict[str, Any] = {}

    def add(self, form: str) -> None:
        key = form[: self.prefix]
        known = self.lookup.get(key)
        if known is None:
            self.lookup[key] = form
        elif isinstance(known, str):
            if known != form:
                self.lookup[key] = [known, form]
        else:
            known.append(form)

    def freeze(self) -> None:
        for key, known in self.lookup.items():
            if isinstance(known, list):
                by_length: dict[int, set[str]] = {}
                for form in known:
                    by_length.setdefault(len(form), set()).add(form)
                self.lookup[key] = sorted(by_length.items(), key=lambda item: -item[0])

    def _starts(self, text: str) -> Iterable[int]:
        width = self.prefix
        if len(self.lookup) <= FIND_PASSES:
            for key in self.lookup:
                at = text.find(key)
                while at >= 0:
                    yield at
                    at = text.find(key, at + 1)
            return
        lookup = self.lookup
        yield from [i for i in range(len(text) - width + 1) if text[i : i + width] in lookup]

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the longest form starting at each position where one starts."""
        for start in self._starts(text):
            known = self.lookup[text[start : start + self.prefix]]
            if isinstance(known, str):
                if text.startswith(known, start):
                    yield start, start + len(known)
                continue
            for length, forms in known:
                if text[start : start + length] in forms:
                    yield start, start + length
                    break


class Redactor:
    """Built on first use: a redactor made in case an early error needs it costs nothing."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets = set(secrets)
        self._built = False
        self._short, self._long = _Index(SHORT_PREFIX), _Index(LONG_PREFIX)
        self._padded: set[str] = set()
        self._separator_safe = True
        self._empty = True

    @property
    def empty(self) -> bool:
        self._build()
        return self._empty

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        for secret in self._secrets:
            self._add(secret, MIN_SECRET_CHARS)
            for line in secret.splitlines():
                self._add(line.strip(), MIN_LINE_CHARS)
        self._secrets = set()
        self._short.freeze()
        self._long.freeze()

    def _add(self, piece: str, minimum: int) -> None:
        if len(piece) < minimum or _json_literal(piece):
            return
        # As printed raw, inside JSON (escaped) and base64-encoded (padding optional).
        encoded = base64.b64encode(piece.encode()).decode().rstrip("=")
        self._padded.add(encoded)
        for form in {piece, _escaped(piece), encoded}:
            (self._long if len(form) >= LONG_PREFIX else self._short).add(form)
        self._separator_safe = self._separator_safe and _SEPARATOR not in piece
        self._empty = False

    def __call__(self, text: str) -> str:
        if self.empty or len(text) < MIN_SECRET_CHARS:
            return text
        spans = sorted([*self._short.spans(text), *self._long.spans(text)])
        if not spans:
            return text
        out, done = [], 0
        for start, end in spans:
            if self._padded and text[start:end] in self._padded:
                while end < len(text) and text[end] == "=":
                    end += 1
            if start < done:  # overlaps the span before: one [secret] for both
                if end > done:
                    done = end
                continue
            out += [text[done:start], SECRET_TEXT]
            done = end
        out.append(text[done:])
        return "".join(out)

    def document(self, text: str) -> str:
        """Output text: a JSON document as preflight prints it is redacted value by value (its
        keys and structure kept); any other text as text."""
        if self.empty or not text.startswith(("{", "[")):
            return self(text)
        try:
            value = json.loads(text)
        except ValueError:
            return self(text)
        if _dumps(value) != text:
            return self(text)
        return _dumps(self.json(value))

    def json(self, value: Any) -> Any:
        """A JSON value with its strings (and numbers) redacted, not its own keys."""
        if self.empty:
            return value
        texts: list[str] = []
        _collect(value, False, texts)
        joined = _SEPARATOR.join(texts)
        if not self._separator_safe or joined.count(_SEPARATOR) != max(len(texts) - 1, 0):
            redacted = iter([self(t) for t in texts])
        else:
            redacted = iter(self(joined).split(_SEPARATOR))
        return _rebuild(value, False, redacted)


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return None


def _collect(value: Any, data: bool, texts: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if data:
                texts.append(key)
            _collect(item, data or key in DATA_KEYS, texts)
    elif isinstance(value, list):
        for item in value:
            _collect(item, data, texts)
    elif (text := _scalar_text(value)) is not None:
        texts.append(text)


def _rebuild(value: Any, data: bool, redacted: Iterator[str]) -> Any:
    if isinstance(value, dict):
        rebuilt = {}
        for key, item in value.items():
            shown = next(redacted) if data else key
            rebuilt[shown] = _rebuild(item, data or key in DATA_KEYS, redacted)
        return rebuilt
    if isinstance(value, list):
        return [_rebuild(item, data, redacted) for item in value]
    text = _scalar_text(value)
    if text is None:
        return value
    shown = next(redacted)
    if isinstance(value, str):
        return shown
    return value if shown == text else SECRET_TEXT
