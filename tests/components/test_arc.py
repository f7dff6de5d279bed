"""ArcCluster, in process: the relay the az CLI creates, and the outputs policies read."""

from catalog import tokens
from catalog.extension import ClusterFacts
from components.arc import ArcCluster
from stacks.settings import ArcClusterSettings
from tests.components.conftest import SUBSCRIPTION

CLUSTER = ArcClusterSettings.model_validate(
    {
        "kind": "arc",
        "connectedClusterId": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-edge/providers/"
        "Microsoft.Kubernetes/connectedClusters/factory-01",
        "nodeCount": 2,
    }
)
FACTS = ClusterFacts("arc", SUBSCRIPTION, "rg-edge", "factory-01", "westeurope", 2)


def test_relay_as_the_cli_creates_it(mocks):
    mocks.run(lambda: ArcCluster("t", CLUSTER, facts=FACTS))
    rule = mocks.one("azure-native:relay:HybridConnectionAuthorizationRule").inputs
    assert rule["authorizationRuleName"] == "azureml_rw"
    assert rule["rights"] == ["Manage", "Send", "Listen"]
    connection = mocks.one("azure-native:relay:HybridConnection").inputs
    assert connection["hybridConnectionName"] == "factory-01"
    assert connection["requiresClientAuthorization"] is True
    namespace = mocks.one("azure-native:relay:Namespace").inputs
    assert namespace["tags"] == {"created_by": "Azure Arc-enabled ML"}


def test_no_cluster_is_created(mocks):
    mocks.run(lambda: ArcCluster("t", CLUSTER, facts=FACTS))
    assert mocks.of_type("azure-native:containerservice:ManagedCluster") == []
    assert mocks.one("azure-native:kubernetes:ConnectedCluster").read


def test_outputs_carry_the_node_count_contract(mocks):
    def build():
        cluster = ArcCluster("t", CLUSTER, facts=FACTS)
        return {
            tokens.CLUSTER_OUTPUT_NODE_COUNT: cluster.node_count,
            tokens.CLUSTER_OUTPUT_RESOURCE_ID: cluster.cluster_resource_id,
            "relaySecret": cluster.handle.relay.connection_string.is_secret(),
        }

    outputs = mocks.run(build)
    assert outputs[tokens.CLUSTER_OUTPUT_NODE_COUNT] == 2
    assert outputs[tokens.CLUSTER_OUTPUT_RESOURCE_ID] == CLUSTER.connectedClusterId
    assert outputs["relaySecret"] is True
