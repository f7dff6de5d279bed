"""The stack's own models accept a migration's result, and a name at fault is reported where it
came from (the flag or the v1 file's key) with the flag that fixes it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from stacks.migrate_v1.names import Name, Names
from stacks.migrate_v1.reading import MigrationError, Problem
from stacks.migrate_v1.result import Migration
from stacks.settings.endpoints import Endpoint
from stacks.settings.instance_types import InstanceType
from stacks.settings.workspace import ComputeSettings


def validate(migration: Migration, names: Names, file: str) -> None:
    """The stack's own models accept the result: names, quantities, scale, requests, probe."""
    problems: list[Problem] = []
    checks: list[tuple[type[BaseModel], dict[str, Any], str, dict[tuple[Any, ...], Name]]] = [
        (ComputeSettings, {"name": names.compute.value}, "computes[]", {("name",): names.compute}),
        (
            Endpoint,
            migration.endpoint,
            "endpoints[0]",
            {("name",): names.endpoint, ("deployments", 0, "model"): names.model},
        ),
        (
            InstanceType,
            migration.instance_type,
            "instanceTypes[0]",
            {("name",): names.instance_type},
        ),
    ]
    for model, value, at, located in checks:
        try:
            model.model_validate(value)
        except ValidationError as err:
            for item in err.errors(include_url=False):
                loc = tuple(item["loc"])
                message = item["msg"].removeprefix("Value error, ")
                name = located.get(loc)
                if name is None:
                    where = ".".join([at, *(str(part) for part in loc)])
                    problems.append((where, f"the v2 result is invalid: {message}"))
                elif (
                    name is names.instance_type
                    and name.origin == "default"
                    and any(where == names.endpoint.origin for where, _ in problems)
                ):
                    continue  # derived from the endpoint name, already reported
                else:
                    problems.append((name.origin, f"{message}; {name.fix}"))
    if problems:
        raise MigrationError(file, problems)
