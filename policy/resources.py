"""Reading resources the way the engine hands them to policies (camelCase, numbers as floats)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from catalog.tokens import base_type


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if base_type(r.resource_type) in wanted]


def get(value: Any, *path: str, default: Any = None) -> Any:
    """props['a']['b'] or default when any step is missing (a known None counts as missing)."""
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
        if value is None:
            return default
    return value


def related(resource: PolicyResource) -> list[PolicyResource]:
    """What the resource depends on, through options or through its property values."""
    out = list(resource.dependencies)
    for deps in resource.property_dependencies.values():
        out.extend(deps)
    return out
