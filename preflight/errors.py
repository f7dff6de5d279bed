"""preflight's exit codes, and the one failure every command ends with when it cannot finish.

0 clean; 1 a mandatory policy violation (check, and nothing else: a crash is never 1); 2 invalid
settings or input; 3 the program failed; 4 the policy pack failed; 64 a bad command line. Output
that cannot be written and signals end as common.cli says (74 a write error or a closed stdout,
141 a broken pipe, 130 Ctrl-C, 128 + N on SIGTERM, SIGHUP, SIGQUIT): one table, in
docs/preflight.md.
"""

from __future__ import annotations

from collections.abc import Iterable

OK, VIOLATION, INVALID, PROGRAM_FAILED, PACK_FAILED = 0, 1, 2, 3, 4


class Failure(Exception):
    """A command that cannot finish: its exit code, one message, and the problems behind it as
    {path, message} (path: the file and the key)."""

    def __init__(self, code: int, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


def located(file: str, problems: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """(where, message) problems of `file` as every command reports them: {path, message}, the
    path `<file>: <where>` (the key path, the line, the site)."""
    return [{"path": f"{file}: {where}", "message": message} for where, message in problems]
