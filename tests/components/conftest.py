"""In-process component tests: Pulumi's own mock runtime, one test per behaviour.

`mocks.run(build)` runs `build` under `@pulumi.runtime.test`, which waits for every registration
and output (so nothing is asserted inside an apply, where a failure would pass silently), and
then the test asserts on what was registered: type, name and inputs, camelCase as the engine sees
them. Outputs a test wants to check are returned by `build` and come back resolved.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pulumi
import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n"


SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # Pulumi's wire marker of a secret value


@dataclass
class Recorded:
    type: str
    name: str
    inputs: dict  # secrets revealed, so tests can compare values
    secrets: set[str]  # dotted paths of the inputs that arrived as secrets
    read: bool  # a `.get()` of an existing resource, not a creation


def _reveal(value, path: str, secrets: set[str]):
    if isinstance(value, dict):
        if value.get("4dabf18193072939515e22adb298388d") == SECRET_SIG:
            secrets.add(path)
            return _reveal(value["value"], path, secrets)
        return {k: _reveal(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    return value


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    resources: list[Recorded] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        secrets: set[str] = set()
        inputs = _reveal(dict(args.inputs), "", secrets)
        self.resources.append(
            Recorded(args.typ, args.name, inputs, secrets, read=bool(args.resource_id))
        )
        # Ids are unknown-looking but stable; outputs echo the inputs, as at preview.
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token.endswith("listManagedClusterUserCredentials") or args.token.endswith(
            "listConnectedClusterUserCredential"
        ):
            value = base64.b64encode(KUBECONFIG.encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}
        if args.token.endswith("listHybridConnectionKeys"):
            return {"primaryConnectionString": "Endpoint=sb://relay/;SharedAccessKey=not-real"}
        return {}

    def run(self, build):
        """Run `build` under the mock runtime; return what it returned, resolved."""
        result: dict = {}

        @pulumi.runtime.test
        def program():
            built = build()
            return pulumi.Output.from_input(built).apply(lambda value: result.update(value=value))

        program()
        return result.get("value")

    def of_type(self, token: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == token]

    def one(self, token: str) -> Recorded:
        found = self.of_type(token)
        assert len(found) == 1, [r.type for r in self.resources]
        return found[0]


@pytest.fixture
def mocks():
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, project="azureml-k8s", stack="test", preview=True)
    yield recording
