"""AzureMLExtension, in process: the CLI's configuration on the resource, secrets kept secret."""

import pulumi
import pulumi_kubernetes as kubernetes_sdk

from catalog import extension as catalog_extension
from catalog import extension_cli
from catalog.extension import ClusterFacts
from components.cluster import ClusterHandle, RelayOutputs
from components.extension import AzureMLExtension
from stacks.settings import ExtensionSettings
from tests.components.conftest import SUBSCRIPTION

EXTENSION = "azure-native:kubernetesconfiguration:Extension"
SETTINGS = ExtensionSettings(
    enableInference=True,
    inferenceRouterServiceType="loadBalancer",
    allowInsecureConnections=True,
)


def handle(kind="aks", nodes=3, relay=None) -> ClusterHandle:
    facts = ClusterFacts(kind, SUBSCRIPTION, "rg", "c1", "westeurope", nodes)
    anchor = pulumi.CustomResource("test:index:Anchor", "anchor")
    provider = kubernetes_sdk.Provider("k8s", kubeconfig="{}")
    return ClusterHandle(facts, anchor, [], pulumi.Output.secret("{}"), provider, relay)


def test_configuration_is_what_the_cli_sends(mocks):
    cluster_handle = None

    def build():
        nonlocal cluster_handle
        cluster_handle = handle(nodes=2)
        AzureMLExtension("t", SETTINGS, cluster_handle)

    mocks.run(build)
    expected, _ = extension_cli.cli_configuration(SETTINGS.cli_settings(), {}, cluster_handle.facts)
    inputs = mocks.one(EXTENSION).inputs
    assert inputs["configurationSettings"] == expected
    assert inputs["configurationSettings"]["inferenceRouterHA"] == "false"  # 2 nodes
    assert inputs["extensionType"] == "Microsoft.AzureML.Kubernetes"
    assert inputs["scope"] == {"cluster": {"releaseNamespace": "azureml"}}
    assert "configurationProtectedSettings" not in inputs


def test_pem_goes_to_protected_settings_as_secrets(mocks):
    https = ExtensionSettings(
        enableInference=True,
        inferenceRouterServiceType="loadBalancer",
        sslCname="scoring.contoso.com",
    )

    def build():
        extension = AzureMLExtension("t", https, handle(), pem=("CERT", "KEY"))
        return extension.id

    mocks.run(build)
    inputs = mocks.one(EXTENSION).inputs
    protected = inputs["configurationProtectedSettings"]
    assert set(protected) == {catalog_extension.SSL_CERT_KEY, catalog_extension.SSL_KEY_KEY}
    assert "configurationProtectedSettings" in mocks.one(EXTENSION).secrets
    assert "sslCertPemFile" not in protected  # no stand-in paths for secret config
    assert "scoringFe.sslSecret" not in inputs["configurationSettings"]


def test_arc_relay_outputs_reach_the_extension(mocks):
    def build():
        relay = RelayOutputs(
            connection_string=pulumi.Output.secret("Endpoint=sb://x/"),
            hybrid_connection_id=pulumi.Output.from_input("/hc/id"),
        )
        AzureMLExtension("t", SETTINGS, handle(kind="arc", relay=relay))

    mocks.run(build)
    inputs = mocks.one(EXTENSION).inputs
    assert inputs["configurationSettings"]["relayserver.hybridConnectionResourceID"] == "/hc/id"
    assert inputs["configurationProtectedSettings"]["relayServerConnectionString"] == (
        "Endpoint=sb://x/"
    )
    assert "configurationProtectedSettings" in mocks.one(EXTENSION).secrets
    assert inputs["identity"] == {"type": "SystemAssigned"}
