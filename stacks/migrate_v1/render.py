"""The printed result: a block of comments, then the YAML body to paste under `config:`.

The body is yaml.safe_dump's, ASCII only (a non-ASCII character is escaped), so a value cannot
break out of its scalar. Every comment line is text.comment's: user values in it were quoted
with text.quoted (JSON) and anything left that YAML or Python would read as a line break is
escaped, so a comment cannot end early and smuggle a setting in.
"""

from __future__ import annotations

from typing import Any

import yaml

from stacks.migrate_v1.result import Migration, Note
from stacks.migrate_v1.sources import SOURCES
from stacks.migrate_v1.text import as_json, comment
from stacks.settings.stack import PROJECT

INSTANCE_TYPES = f"{PROJECT}:instanceTypes"
ENDPOINTS = f"{PROJECT}:endpoints"
TOOL = "python -m stacks.migrate_v1"


def body(migration: Migration) -> str:
    """The two stack settings as YAML."""
    return dump(
        {INSTANCE_TYPES: [migration.instance_type], ENDPOINTS: [migration.endpoint]},
    )


def dump(value: Any) -> str:
    """Block-style YAML, in the order given, with every non-ASCII character escaped."""
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=False)


def comments(migration: Migration, source: str, merged: list[str] | None = None) -> list[str]:
    """The comment block: where the settings came from, each mapping and its sources, what has
    no v2 equivalent, what was ignored, and (with --into) what went into the stack file."""
    lines = [
        f"v2 settings for {as_json(source)} (a v1 AKS web service), by {TOOL}; docs/migrate.md"
    ]
    if merged is None:
        lines.append("Paste under config: in the stack file (or run again with --into STACKFILE).")
    lines.append("Mapped (v1 -> v2) [sources]:")
    lines += [_note(note) for note in migration.mapped]
    if migration.unmapped:
        lines.append("No v2 equivalent:")
        lines += [_note(note) for note in migration.unmapped]
    if migration.ignored:
        lines.append(
            "Ignored (the v1 service's status as az ml service show prints it, not a setting): "
            + ", ".join(migration.ignored)
        )
    if merged:
        lines += merged
    labels = _cited(migration.mapped + migration.unmapped)
    lines.append("Sources:")
    lines += [f"  [{label}] {SOURCES[label].title}: {SOURCES[label].url}" for label in labels]
    return [comment(line) for line in lines]


def _note(note: Note) -> str:
    cited = f" [{', '.join(note.sources)}]" if note.sources else ""
    return f"  {note.text}{cited}"


def _cited(notes: list[Note]) -> list[str]:
    seen: dict[str, None] = {}
    for note in notes:
        seen.update(dict.fromkeys(note.sources))
    return [label for label in SOURCES if label in seen]


def render(migration: Migration, source: str) -> str:
    """The comments and the body: what the tool prints without --into."""
    return "\n".join(comments(migration, source)) + "\n" + body(migration)
