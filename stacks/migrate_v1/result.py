"""What a migration gives: the v2 settings and the notes that explain them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Note:
    """One line of explanation and the labels of its sources (sources.SOURCES)."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass
class Migration:
    """The v2 settings and the notes that explain them."""

    instance_type: dict[str, Any]
    endpoint: dict[str, Any]
    mapped: list[Note] = field(default_factory=list)
    unmapped: list[Note] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
