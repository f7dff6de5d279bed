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


def test_a_user_assigned_workspace_identity_gets_the_relay_and_cluster_roles(mocks):
    """On Arc the workspace's user-assigned identity needs Azure Relay Owner on the relay the
    extension uses, besides its roles on the connected cluster; the attach waits for them."""
    from catalog import roles
    from components.compute import Attach, Compute
    from stacks.settings import ComputeSettings, Workspace

    principal = "33333333-3333-3333-3333-333333333333"
    workspace = Workspace.model_validate(
        {
            "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml/providers/"
            "Microsoft.MachineLearningServices/workspaces/mlw-edge",
            "principalId": principal,
        }
    )
    compute = ComputeSettings.model_validate({"name": "k8s-edge", "namespace": "edge"})

    def build():
        cluster = ArcCluster("t", CLUSTER, facts=FACTS)
        Compute("c", [Attach(compute, workspace)], cluster.handle, None, namespaces=["edge"])

    mocks.run(build)
    granted = {
        a.inputs["roleDefinitionId"].rsplit("/", 1)[-1]: a.inputs["scope"]
        for a in mocks.of_type("azure-native:authorization:RoleAssignment")
    }
    relay = mocks.one("azure-native:relay:Namespace").inputs["namespaceName"]
    assert granted[roles.AZURE_RELAY_OWNER].endswith(f"/Microsoft.Relay/namespaces/{relay}")
    assert granted[roles.READER] == CLUSTER.connectedClusterId
    assert roles.CONTRIBUTOR not in granted  # Trusted Access is AKS's
    assert set(granted) == {*roles.ATTACH_ON_CLUSTER.values(), roles.AZURE_RELAY_OWNER}
    assert mocks.one("kubernetes:core/v1:Namespace").inputs["metadata"] == {"name": "edge"}
