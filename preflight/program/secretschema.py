"""The properties a provider's schema marks secret, read from its installed Python SDK.

The engine shows a property as [secret] when the provider's schema marks it so, whatever the
program passed. The Python SDKs carry that mark in their generated code, one resource class per
file: a secret input is stored as `pulumi.Output.secret(...)` in `_internal_init`, and secret
outputs are listed in `pulumi.ResourceOptions(additional_secret_outputs=[...])`. This module reads
those two forms from the source text of the resource's class (pulumi-azure-native,
pulumi-kubernetes, pulumi-tls), without importing the package (pulumi_azure_native alone takes seconds to
import): one file per resource type the program registers, once per process (functools.cache),
so the list is the installed SDK version's own, never a hand-written one.

What the Python SDKs do not carry cannot be found here: pulumi-azure-native marks no property of
a nested type (such as ManagedCluster's servicePrincipalProfile.secret) in its Python code; only
its provider plugin knows those, and preflight runs without plugins.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from common import files

PACKAGES = {
    "azure-native": "pulumi_azure_native",
    "kubernetes": "pulumi_kubernetes",
    "tls": "pulumi_tls",
}
_SECRET_INPUT = re.compile(
    r'__props__\.__dict__\["(\w+)"\] = None if \w+ is None else pulumi\.Output\.secret\('
)
_SECRET_OUTPUTS = re.compile(r"additional_secret_outputs=\[([^\]]*)\]")
_GETTER = re.compile(r'@pulumi\.getter\(name="(\w+)"\)\s+def (\w+)\(')
_QUOTED = re.compile(r'"([^"]+)"')
# A generated resource module is a few hundred KiB at most.
MAX_SOURCE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SecretProperties:
    inputs: frozenset[str] = frozenset()
    outputs: frozenset[str] = frozenset()


NONE = SecretProperties()


@functools.cache
def _package_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _class_source(type_: str) -> str | None:
    """The source text of the file that defines the resource class of `type_`."""
    parts = type_.split(":")
    if len(parts) != 3:
        return None
    if parts[:2] == ["pulumi", "providers"]:
        package, module, name = parts[2], [], "Provider"
    else:
        # `apiextensions.k8s.io/v1` lives in apiextensions/v1, `index/privateKey` at the top.
        package, name = parts[0], parts[2]
        module = [segment.split(".")[0] for segment in parts[1].split("/")]
        module = [] if module[:1] == ["index"] else module
    root = _package_dir(PACKAGES.get(package, ""))
    if root is None or not all(re.fullmatch(r"[A-Za-z0-9_]+", m) for m in [*module, name]):
        return None
    directory = root.joinpath(*module)
    declared = re.compile(rf"^class {name}\(pulumi\.(?:Custom|Provider)Resource\):", re.M)
    candidates = [directory / f"{_snake(name)}.py", directory / f"{name}.py"]
    for path in candidates:
        text = _read(path)
        if text is not None and declared.search(text):
            return text
    return None


def _read(path: Path) -> str | None:
    try:
        return files.read_text(path, limit=MAX_SOURCE_BYTES)
    except files.InputFileError:
        return None


@functools.cache
def secret_properties(type_: str) -> SecretProperties:
    """The wire names of `type_`'s inputs and outputs its schema marks secret."""
    source = _class_source(type_)
    if source is None:
        return NONE
    wire = {python: name for name, python in _GETTER.findall(source)}
    inputs = {wire.get(python, python) for python in _SECRET_INPUT.findall(source)}
    outputs = {
        name for listed in _SECRET_OUTPUTS.findall(source) for name in _QUOTED.findall(listed)
    }
    return SecretProperties(frozenset(inputs), frozenset(outputs | inputs))
