"""A resource monitor that records what a Pulumi program registers, under the SDK's mock runtime.

It answers like the engine does during `pulumi preview`: a resource being created has an unknown
id and its computed outputs are unknown; its inputs come back as its outputs. Azure resources
whose name the program leaves unset get one as the provider auto-names them (`autoname`), so the
names `pulumi preview` shows as known are known here too. Invokes get canned answers (`CANNED`);
reads return the properties the program passed plus what the id tells and the stack's region.
As the engine does, a second registration of the same URN fails the program.
Property values are kept in the engine's wire shape (camelCase keys, secrets and unknowns marked,
numbers as floats), which is also what the policy pack receives.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import inspect
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2

from preflight.program import secretschema
from preflight.sdk import (
    ROOT_STACK_TYPE,
    SECRET_SIG,
    SIG,
    UNKNOWN,
    alias_pb2,
    get_project,
    get_stack,
    mocks,
    resource_pb2,
)

_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster: {server: 'https://preflight.invalid:443'}
  name: preflight
contexts:
- context: {cluster: preflight, user: preflight}
  name: preflight
current-context: preflight
users:
- name: preflight
  user: {token: preflight-placeholder}
"""
_FAKE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _kubeconfigs(_args: dict) -> dict:
    return {
        "kubeconfigs": [
            {"name": "clusterUser", "value": base64.b64encode(_KUBECONFIG.encode()).decode()}
        ]
    }


# Canned invoke answers, by function token. Anything else answers {} (its outputs are unknown to
# the program only if it reads them). They contain no real secret.
CANNED: dict[str, Callable[[dict], dict]] = {
    "azure-native:authorization:getClientConfig": lambda _a: {
        "subscriptionId": _FAKE_SUBSCRIPTION,
        "tenantId": _FAKE_SUBSCRIPTION,
        "clientId": _FAKE_SUBSCRIPTION,
        "objectId": _FAKE_SUBSCRIPTION,
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": _kubeconfigs,
    "azure-native:containerservice:listManagedClusterAdminCredentials": _kubeconfigs,
    "azure-native:kubernetes:listConnectedClusterUserCredential": _kubeconfigs,
    "azure-native:relay:listHybridConnectionKeys": lambda _a: {
        "keyName": "azureml_rw",
        "primaryConnectionString": "Endpoint=sb://preflight.invalid/",
        "primaryKey": "preflight-placeholder",
        "secondaryKey": "preflight-placeholder",
        "secondaryConnectionString": "Endpoint=sb://preflight.invalid/",
    },
}


def mark_secret(properties: dict[str, Any], names: Iterable[str]) -> None:
    """Wrap each named property in a secret marker, as the engine returns what the provider's
    schema (or the program's additionalSecretOutputs) marks secret."""
    for name in names:
        value = properties.get(name)
        if name in properties and not (isinstance(value, dict) and value.get(SIG) == SECRET_SIG):
            properties[name] = {SIG: SECRET_SIG, "value": value}


def wire(struct) -> dict[str, Any]:
    """A protobuf Struct as plain JSON, keeping Pulumi's secret and unknown markers."""
    return json_format.MessageToDict(struct) if struct is not None else {}


@functools.cache
def name_property(type_: str) -> str | None:
    """The input an azure-native resource is named by (`resourceGroupName`, `resourceName`, ...).

    The provider's metadata is not shipped with the Python SDK, but the SDK's own resource class
    is loaded (the program registered the type through it) and its arguments name the property:
    `<resource>_name`, else `resource_name_`, else `name`.
    """
    parts = type_.split(":")
    if len(parts) != 3 or parts[0] != "azure-native":
        return None
    module = sys.modules.get("pulumi_azure_native." + parts[1].replace("/", "."))
    init = getattr(getattr(module, parts[2], None), "_internal_init", None)
    if init is None:
        return None
    params = inspect.signature(init).parameters
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", parts[2]).lower()
    for candidate in (f"{snake}_name", "resource_name_", "name"):
        if candidate in params:
            words = candidate.rstrip("_").split("_")
            return words[0] + "".join(w.title() for w in words[1:])
    return None


def autoname(urn: str, logical_name: str) -> str:
    """The shape of Pulumi's default auto-naming (logical name + 8 hex characters), with the
    suffix derived from the URN instead of drawn at random: same program, same names."""
    return logical_name + hashlib.sha256(urn.encode()).hexdigest()[:8]


class Mocks(mocks.Mocks):
    """Canned invoke answers; resource answers are the monitor's own (see RecordingMonitor)."""

    def __init__(self):
        self.invokes: list[str] = []

    def new_resource(self, args: mocks.MockResourceArgs):  # not used: the monitor answers
        return "", {}

    def call(self, args: mocks.MockCallArgs):
        self.invokes.append(args.token)
        answer = CANNED.get(args.token)
        return answer(args.args) if answer else {}


class RecordingMonitor(mocks.MockMonitor):
    """Keeps every registration with its options, dependencies, inputs and outputs, and answers
    as the engine does in a preview."""

    def __init__(self, mock: Mocks, config: dict[str, str]):
        super().__init__(mock)
        self.config = config
        self.registrations: list[dict[str, Any]] = []
        self.component_outputs: dict[str, dict[str, Any]] = {}
        self.diagnostics: list[dict[str, str]] = []
        self._types: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine: a parent's type is prefixed, except the root stack's.
        qualified = type_
        if parent and self._types.get(parent, ROOT_STACK_TYPE) != ROOT_STACK_TYPE:
            qualified = f"{parent.split('::')[2]}${type_}"
        return "urn:pulumi:" + "::".join([get_stack(), get_project(), qualified, name])

    def _record(self, urn: str, request, *, read: bool, options: dict, inputs, outputs) -> None:
        if urn in self._types:
            # The engine refuses a second registration of one URN; so does preflight.
            raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        self._types[urn] = request.type
        self.registrations.append(
            {
                "urn": urn,
                "type": request.type,
                "name": request.name,
                "custom": True if read else request.custom,
                "parent": request.parent,
                "provider": request.provider,
                "version": request.version,
                "dependencies": sorted(request.dependencies),
                "propertyDependencies": {}
                if read
                else {
                    k: sorted(v.urns)
                    for k, v in sorted(request.propertyDependencies.items())
                    if v.urns
                },
                "options": options,
                "inputs": inputs,
                "outputs": outputs,
                "read": read,
            }
        )

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = wire(request.object)
        secret = secretschema.secret_properties(request.type) if request.custom else None
        if secret is not None:
            mark_secret(inputs, sorted(secret.inputs))
        outputs = dict(inputs) if request.custom else {}
        if secret is not None:
            mark_secret(outputs, sorted(secret.outputs | set(request.additionalSecretOutputs)))
        named_by = name_property(request.type) if request.custom else None
        if named_by:
            # As the provider names it at preview; its `name` output is that name.
            inputs.setdefault(named_by, autoname(urn, request.name))
            outputs[named_by] = inputs[named_by]
            outputs.setdefault("name", inputs[named_by])
        if request.type.startswith("pulumi:providers:") and request.version:
            inputs.setdefault("version", request.version)  # the engine records the version
            outputs.setdefault("version", request.version)
        if request.remote:
            self.diagnostics.append(
                {
                    "severity": "warning",
                    "message": f"remote component {request.type} '{request.name}' is not "
                    "expanded offline: its children are neither previewed nor checked",
                }
            )
        timeouts = request.customTimeouts
        self._record(
            urn,
            request,
            read=False,
            inputs=inputs,
            outputs=outputs,
            options={
                "protect": request.protect,
                "ignoreChanges": list(request.ignoreChanges),
                "retainOnDelete": request.retainOnDelete,
                "deleteBeforeReplace": request.deleteBeforeReplace,
                "deleteBeforeReplaceDefined": request.deleteBeforeReplaceDefined,
                "customTimeouts": {
                    k: v
                    for k, v in (
                        ("create", timeouts.create),
                        ("update", timeouts.update),
                        ("delete", timeouts.delete),
                    )
                    if v
                },
                "remote": request.remote,
                "replaceOnChanges": list(request.replaceOnChanges),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "aliases": [_alias(a) for a in request.aliases],
                "importId": request.importId,
            },
        )
        if request.type == ROOT_STACK_TYPE or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # Being created: no id yet; the inputs come back as outputs, the rest is unknown.
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=_struct(outputs))

    def ReadResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        state = wire(request.properties)
        secret = secretschema.secret_properties(request.type)
        mark_secret(state, sorted(secret.outputs | set(request.additionalSecretOutputs)))
        state.setdefault("id", request.id)
        state.setdefault("name", request.id.rstrip("/").split("/")[-1])
        if request.type.startswith("azure-native:"):
            state.setdefault("location", self.config.get("azure-native:location", UNKNOWN))
        self._record(
            urn,
            request,
            read=True,
            options={"id": request.id},
            inputs=wire(request.properties),
            outputs=state,
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_struct(state))

    def RegisterResourceOutputs(self, request):
        if self._types.get(request.urn) != ROOT_STACK_TYPE:  # the runner records the stack's
            self.component_outputs[request.urn] = wire(request.outputs)
        return empty_pb2.Empty()


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(value, struct)
    return struct


def _alias(alias: alias_pb2.Alias) -> Any:
    if alias.urn:
        return alias.urn
    spec = alias.spec
    return {
        k: v
        for k, v in (
            ("name", spec.name),
            ("type", spec.type),
            ("stack", spec.stack),
            ("project", spec.project),
        )
        if v
    }
