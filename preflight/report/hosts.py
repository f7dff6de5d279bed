"""`python -m preflight hosts`: the egress rules a stack needs, from its settings alone.

The stack file is validated as the program would validate it (stacks.settings), then its features
pick the documented hosts (catalog.hosts) plus egress.extraHosts. Nothing runs and nothing is read
from Azure, so workspace names the stack does not give stay placeholders, said so in a note.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from catalog import hosts as catalog_hosts
from preflight.program.stackfile import StackConfig
from stacks.settings import SettingsError, parse, sites
from stacks.settings.egress import needed_rules

FIELDS = ("host", "port", "protocol", "why", "phase", "source")
# What fills each placeholder, for the note on unfilled ones.
_FILLED_BY = {
    "<account>": "workspace.storageAccount",
    "<acr>": "workspace.containerRegistry",
}


class InvalidSettings(Exception):
    def __init__(self, file: str, errors: list[tuple[str, str]]):
        super().__init__(f"{file}: invalid settings")
        self.file, self.errors = file, errors


def listing(project_dir: Path, stack: StackConfig) -> list[catalog_hosts.Rule]:
    """The stack's egress rules; InvalidSettings when its settings do not validate."""
    file = stack.file or "(no stack file)"
    try:
        values, file = sites.stack_values(stack.stack, stack.config, file, project_dir)
        settings = parse(values, set(stack.secret_keys), file, project_dir)
    except SettingsError as err:
        raise InvalidSettings(err.file, err.errors) from None
    return needed_rules(settings)


def note(rules: list[catalog_hosts.Rule]) -> str:
    """Why some hosts still hold placeholders (empty when none do)."""
    missing = catalog_hosts.unfilled(rules)
    if not missing:
        return ""
    keys = [_FILLED_BY[m] for m in missing if m in _FILLED_BY]
    return (
        f"note: {', '.join(missing)} stay placeholders: the workspace cannot be read offline; "
        f"set {' and '.join(keys)} in the stack to fill them\n"
    )


def render(rules: list[catalog_hosts.Rule], fmt: str) -> str:
    rows = [rule.as_json() for rule in rules]
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    return _text(rules)


def _text(rules: list[catalog_hosts.Rule]) -> str:
    width = max((len(rule.host) for rule in rules), default=0)
    lines = [f"{len(rules)} egress rules, in the order they are first needed"]
    phase = None
    for rule in rules:
        if rule.phase != phase:
            phase = rule.phase
            lines.append(f"{phase}:")
        lines.append(
            f"  {rule.host:<{width}}  {rule.protocol:<5} {rule.port:>5}  {rule.why:<9}  "
            f"{rule.source}"
        )
    return "\n".join(lines) + "\n" + note(rules)
