"""Everything preflight prints, redacted of the run's secrets, through the project's one output
sink (common.cli: a closed pipe or a full disk is its own exit code, never 1)."""

from __future__ import annotations

import json
from typing import Any

from common import cli
from preflight.errors import Failure
from preflight.report import render
from preflight.report.redaction import Redactor


def check_output(format_: str, result: dict[str, Any]) -> str:
    if format_ == "json":
        return json.dumps(result, indent=2, sort_keys=True) + "\n"
    return render.check_text(result)


class Output:
    def __init__(self) -> None:
        self.redact = Redactor()
        self.check_format: str | None = None

    def write(self, text: str) -> None:
        cli.write(self.redact.document(text))

    def note(self, text: str) -> None:
        """A line for stderr, redacted."""
        if text:
            cli.warn(self.redact(text))

    def fail(self, failure: Failure) -> int:
        errors = failure.errors or [{"path": "", "message": failure.message}]
        if self.check_format == "json":
            # A check always answers in its format: a CI step parsing JSON gets JSON on 2, 3, 4.
            self.write(
                check_output(
                    self.check_format,
                    {"errors": errors, "violations": [], "mandatory": 0, "exitCode": failure.code},
                )
            )
        # One line per problem: names and values from files are shown with escapes.
        lines = [f"preflight: {render.visible(failure.message)}"]
        for e in failure.errors:
            if e["path"] not in failure.message:
                lines.append(f"  {render.visible(e['path'])}: {render.visible(e['message'])}")
            elif e["message"] not in failure.message:
                lines.append(f"  {render.visible(e['message'])}")
        cli.warn(self.redact("\n".join(lines)))
        return failure.code
