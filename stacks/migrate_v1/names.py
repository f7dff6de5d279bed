"""The names the v2 settings need, from the flags or else from the v1 file: the endpoint (the
service's `name`), the compute (`computeName` / `compute_target_name`), the model (`models`,
`modelIds` or `modelDetails`) and the instance type. A flag overrides the file. A missing
endpoint name or model is an error that says which flag to give: nothing is made up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stacks.migrate_v1.reading import V1, MigrationError, Problem
from stacks.migrate_v1.text import quoted

# The compute when neither --compute nor the file names one; the attach to create if needed.
DEFAULT_COMPUTE = "k8s-compute"
# A workspace model: NAME:VERSION (the v1 model id) or azureml:NAME:VERSION (the v2 reference).
# Names as v1 registered them: a letter or digit, then letters, digits, '.', '_' or '-'.
_MODEL = re.compile(r"(?:azureml:)?([A-Za-z0-9][A-Za-z0-9._-]{0,254}):([0-9]{1,10})")
_MODEL_KEYS = ("models", "model_ids", "model_details")
_USAGE = {
    "--name": "--name NAME",
    "--compute": "--compute NAME",
    "--model": "--model azureml:NAME:VERSION",
    "--instance-type": "--instance-type NAME",
}


@dataclass(frozen=True)
class Name:
    value: str
    origin: str  # the flag, the file's key, or "default"
    flag: str  # the flag that sets it
    overrides: str | None = None  # what the file says, when a flag overrides it

    @property
    def fix(self) -> str:
        return f"give {_USAGE[self.flag]}"


@dataclass(frozen=True)
class Names:
    endpoint: Name
    compute: Name
    model: Name
    instance_type: Name


def resolve(
    v1: V1,
    *,
    name: str | None = None,
    compute: str | None = None,
    model: str | None = None,
    instance_type: str | None = None,
) -> Names:
    """The names, or a MigrationError listing every one that is missing or malformed."""
    problems: list[Problem] = []
    endpoint = _given(v1, name, "--name", "name")
    if endpoint is None:
        problems.append(
            (
                "name",
                "no endpoint name: the file has no `name` (az ml service show prints the "
                "service's; a deployment configuration has none); give --name NAME",
            )
        )
    found_compute = _given(v1, compute, "--compute", "compute_target_name")
    if model is not None:
        found_model = _flag_model(model, problems)
        given = [v1.where(key) for key in _MODEL_KEYS if v1.has(key)]
        if found_model is not None and given:
            found_model = Name(found_model.value, "--model", "--model", ", ".join(given))
    else:
        found_model = _file_model(v1, problems)
    if problems:
        raise MigrationError(v1.file, problems)
    assert endpoint is not None and found_model is not None  # reported above otherwise
    if instance_type is not None:
        type_name = Name(instance_type, "--instance-type", "--instance-type")
    else:
        type_name = Name(f"{endpoint.value.lower()}-v1", "default", "--instance-type")
    return Names(
        endpoint,
        found_compute or Name(DEFAULT_COMPUTE, "default", "--compute"),
        found_model,
        type_name,
    )


def _given(v1: V1, flag_value: str | None, flag: str, internal: str) -> Name | None:
    if flag_value is not None:
        file_says = f"{v1.where(internal)} {quoted(v1.get(internal))}" if v1.has(internal) else None
        return Name(flag_value, flag, flag, file_says)
    if v1.has(internal):
        return Name(v1.get(internal), v1.where(internal), flag)
    return None


def _flag_model(model: str, problems: list[Problem]) -> Name | None:
    match = _MODEL.fullmatch(model)
    if match is None:
        problems.append(
            (
                "--model",
                f"{quoted(model)} is not a workspace model: give --model azureml:NAME:VERSION, "
                "e.g. azureml:fraud-model:3 (registry models are not supported on Kubernetes)",
            )
        )
        return None
    return Name(f"azureml:{match[1]}:{match[2]}", "--model", "--model")


def _file_model(v1: V1, problems: list[Problem]) -> Name | None:
    found: dict[str, str] = {}  # NAME:VERSION -> where the file gives it
    before = len(problems)
    for internal in _MODEL_KEYS:
        for i, entry in enumerate(v1.get(internal) or []):
            where = f"{v1.where(internal)}[{i}]"
            ref = model_reference(entry)
            if ref is None:
                problems.append(
                    (
                        where,
                        'not a model reference: write "NAME:VERSION" or {name: NAME, version: '
                        "VERSION}, or give --model azureml:NAME:VERSION",
                    )
                )
            else:
                found.setdefault(ref, where)
    if len(found) > 1:
        served = ", ".join(quoted(ref) for ref in found)
        problems.append(
            (
                next(iter(found.values())),
                f"the v1 service served {len(found)} models ({served}); a v2 deployment serves "
                "one: give --model azureml:NAME:VERSION",
            )
        )
        return None
    if not found:
        if not any(v1.has(internal) for internal in _MODEL_KEYS):
            problems.append(
                (
                    "models",
                    "no model: the file names none (az ml service show prints the service's "
                    "models; a deployment configuration has none); give --model "
                    "azureml:NAME:VERSION",
                )
            )
        elif len(problems) == before:
            problems.append(("models", "is empty; give --model azureml:NAME:VERSION"))
        return None
    ref, where = next(iter(found.items()))
    return Name(f"azureml:{ref}", where, "--model")


def model_reference(entry: Any) -> str | None:
    """NAME:VERSION from "NAME:VERSION" (or "azureml:NAME:VERSION") or {name, version, ...}
    (the other keys of az ml service show's model entries are the model's metadata)."""
    if isinstance(entry, dict):
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or isinstance(version, bool):
            return None
        if not isinstance(version, (int, str)):
            return None
        entry = f"{name}:{version}"
    if not isinstance(entry, str):
        return None
    match = _MODEL.fullmatch(entry)
    return f"{match[1]}:{match[2]}" if match else None
