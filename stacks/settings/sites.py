"""A fleet site as its stack runs it: the stack `site-<name>` takes its settings from the
inventory (AZUREML_K8S_INVENTORY, a path relative to the project or absolute, else
fleet/inventory.yaml) and only its secrets (and provider keys that agree) from its own stack.
The program's loader and `preflight hosts` read stacks through `stack_values`; `fleet check`
resolves each site with `resolve`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.config import runtime_value
from stacks.settings.errors import InventoryError
from stacks.settings.inventory import STACK_PREFIX, Inventory, Problem, Site, cached
from stacks.settings.stack import PROJECT, secret_keys

INVENTORY_ENV = "AZUREML_K8S_INVENTORY"
DEFAULT_INVENTORY = "fleet/inventory.yaml"


def values(config: dict[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    """Config as the Pulumi runtime holds it (`namespace:key` -> string, objects and lists as
    JSON), exactly as a stack file's `config:` becomes it."""
    flat: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in config.items():
        try:
            flat[key] = runtime_value(value)
        except (TypeError, ValueError):
            problems.append((f"config.{key}", "holds a value that is not plain data: quote it"))
    return flat, problems


def own_settings(stack_values: dict[str, Any]) -> list[str]:
    """The project's settings a stack's own config sets, besides its secrets."""
    secret = {f"{PROJECT}:{key}" for key in secret_keys()}
    return sorted(k for k in stack_values if k.startswith(f"{PROJECT}:") and k not in secret)


def with_stack(
    site_values: dict[str, str], stack_values: dict[str, Any], stack_file: str
) -> tuple[dict[str, Any], list[Problem]]:
    """A site's values with its own stack's (its secrets, provider keys) added. The stack may
    repeat an inventory value (azure-native:location, say) but not contradict it."""
    merged: dict[str, Any] = dict(site_values)
    problems = [
        (
            f"{stack_file}: config.{key}",
            "a fleet site's settings live in the inventory: move it there (the site's stack "
            "keeps only its secrets)",
        )
        for key in own_settings(stack_values)
    ]
    for key, value in stack_values.items():
        if key in merged and str(value) != merged[key]:
            # Neither value is quoted: the stack's may be a secure one.
            problems.append(
                (
                    f"{stack_file}: config.{key}",
                    "differs from the inventory's value for this site: keep it in one place "
                    "(the inventory)",
                )
            )
        merged.setdefault(key, value)
    return merged, problems


@dataclass(frozen=True)
class SiteValues:
    values: dict[str, Any]
    file: str  # what messages name: the inventory, the site and where it is


def inventory_path(project_dir: Path) -> Path:
    return project_dir / os.environ.get(INVENTORY_ENV, DEFAULT_INVENTORY)


def shown_path(path: str | Path, project_dir: Path) -> str:
    """How messages name an inventory, and how AZUREML_K8S_INVENTORY gives it to the program:
    relative to the project when inside it, else absolute."""
    resolved = Path(path).resolve()
    if resolved.is_relative_to(project_dir.resolve()):
        return str(resolved.relative_to(project_dir.resolve()))
    return str(resolved)


def resolve(
    inventory: Inventory, site: Site, stack_values: dict[str, Any], stack_file: str
) -> SiteValues:
    """A site's values as its stack's program sees them: the inventory's, with the site's own
    stack's (its secrets); InventoryError naming the inventory and the site when it is at fault."""
    flat, flat_problems = values(site.config)
    merged, problems = with_stack(flat, stack_values, stack_file)
    label = inventory.label(site)
    found = site.problems + flat_problems + problems
    if found:
        raise InventoryError(label, found)
    return SiteValues(merged, label)


def site_values(
    stack: str, stack_values: dict[str, Any], project_dir: Path | None = None
) -> SiteValues | None:
    """For the program: the settings of stack `site-<name>` from the inventory, with the stack's
    own (secret) values; None for any other stack, and for a `site-` stack with settings of its
    own that no inventory lists (an ordinary stack of that name). InventoryError when the
    inventory, the site or the stack is at fault: a listed site's stack that sets settings of
    its own too is refused, never silently preferred to the inventory."""
    if not stack.startswith(STACK_PREFIX):
        return None
    own = own_settings(stack_values)
    path = inventory_path(project_dir or Path.cwd())
    shown = os.environ.get(INVENTORY_ENV, DEFAULT_INVENTORY)
    if not path.is_file():
        if own:
            return None
        raise InventoryError(
            shown,
            [
                (
                    "file",
                    f"stack {stack} is a fleet site, but there is no inventory here: set "
                    f"{INVENTORY_ENV} to its path, or name the stack otherwise",
                )
            ],
        )
    inventory = cached(path, shown)
    site = inventory.site_for_stack(stack)
    if site is None:
        if own:
            return None
        raise InventoryError(shown, [("sites", f"no site {stack[len(STACK_PREFIX) :]!r}")])
    if inventory.problems:
        raise InventoryError(shown, inventory.problems)
    return resolve(inventory, site, stack_values, f"stacks/Pulumi.{stack}.yaml")


def stack_values(
    stack: str, values: dict[str, Any], file: str, project_dir: Path | None = None
) -> tuple[dict[str, Any], str]:
    """The values a stack's settings are parsed from, and the file its messages name: a fleet
    site's from the inventory (site_values), any other stack's own."""
    site = site_values(stack, values, project_dir)
    return (values, file) if site is None else (site.values, site.file)
