"""One redaction for everything preflight prints: plans, check results, errors, pack messages.

A plan already shows secret-marked values as "[secret]"; text from elsewhere (a policy pack's
violation message, a program's error) can still echo a secret value, so every output passes
through `Redactor`, which knows every secret string of the run: the stack's secure config values
(decrypted or placeholders), the values behind secret markers in the resource graph, each line
of a multi-line secret (a PEM's lines) and their JSON-escaped and base64 forms. It needs no
Pulumi SDK, so commands that print no plan start fast.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable

# Shorter strings are too likely to be ordinary words; such secrets are still never shown by a
# plan (markers), only an echo of one this short in free text would pass.
SECRET_TEXT = "[secret]"
MIN_SECRET_CHARS = 4
MIN_LINE_CHARS = 16


def _json_literal(text: str) -> bool:
    """A secret boolean or null: replacing its text would corrupt JSON output and hide little."""
    return text in ("true", "false", "null", "True", "False", "None")


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()):
        needles: set[str] = set()  # regular expressions
        for secret in secrets:
            for piece in (secret, *(line.strip() for line in secret.splitlines())):
                limit = MIN_SECRET_CHARS if piece == secret else MIN_LINE_CHARS
                if len(piece) >= limit and not _json_literal(piece):
                    # As printed raw, inside JSON (escaped) and base64-encoded (padding optional).
                    needles.add(re.escape(piece))
                    needles.add(re.escape(json.dumps(piece)[1:-1]))
                    encoded = base64.b64encode(piece.encode()).decode().rstrip("=")
                    needles.add(re.escape(encoded) + "=*")
        ordered = sorted(needles, key=lambda s: (-len(s), s))
        self._pattern = re.compile("|".join(ordered)) if ordered else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(SECRET_TEXT, text) if self._pattern else text
