"""A resource monitor that records what a Pulumi program registers, under the SDK's mock runtime.

It answers like the engine does during `pulumi preview`: a resource being created has an unknown
id and its computed outputs are unknown; its inputs come back as its outputs. Invokes get canned
answers (`CANNED`); reads return the properties the program passed plus what the id tells and the
stack's region.
Property values are kept in the engine's wire shape (camelCase keys, secrets and unknowns marked,
numbers as floats), which is also what the policy pack receives.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"

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


def wire(struct) -> dict[str, Any]:
    """A protobuf Struct as plain JSON, keeping Pulumi's secret and unknown markers."""
    return json_format.MessageToDict(struct) if struct is not None else {}


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
        self._types: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine: a parent's type is prefixed, except the root stack's.
        qualified = type_
        if parent and self._types.get(parent, ROOT_STACK_TYPE) != ROOT_STACK_TYPE:
            qualified = f"{parent.split('::')[2]}${type_}"
        return "urn:pulumi:" + "::".join([get_stack(), get_project(), qualified, name])

    def _record(self, urn: str, request, *, read: bool, options: dict, inputs, outputs) -> None:
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
        self._record(
            urn,
            request,
            read=False,
            inputs=inputs,
            outputs=dict(inputs) if request.custom else {},
            options={
                "protect": request.protect,
                "ignoreChanges": list(request.ignoreChanges),
                "retainOnDelete": request.retainOnDelete,
                "deleteBeforeReplace": request.deleteBeforeReplace,
                "replaceOnChanges": list(request.replaceOnChanges),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "aliases": [_alias(a) for a in request.aliases],
                "importId": request.importId,
            },
        )
        if request.type == ROOT_STACK_TYPE or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        # Being created: no id yet; the inputs come back as outputs, the rest is unknown.
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

    def ReadResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        state = wire(request.properties)
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
        properties = struct_pb2.Struct()
        json_format.ParseDict(state, properties)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=properties)

    def RegisterResourceOutputs(self, request):
        if self._types.get(request.urn) != ROOT_STACK_TYPE:  # the runner records the stack's
            self.component_outputs[request.urn] = wire(request.outputs)
        return empty_pb2.Empty()


def _alias(alias: resource_pb2.Alias) -> Any:
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
