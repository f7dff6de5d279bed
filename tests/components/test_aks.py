"""AksCluster, in process: the cluster Azure ML needs, from the cluster model and narrow inputs."""

import pulumi

from catalog import aks
from catalog.extension import ClusterFacts
from components.aks import AksCluster, AksInputs
from stacks.settings import AksClusterSettings, Workspace
from tests.components.conftest import SUBSCRIPTION

CLUSTER = AksClusterSettings.model_validate(
    {
        "kind": "aks",
        "name": "mltest",
        "nodePools": [
            {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"},
            {"name": "gpu", "vmSize": "Standard_NC24ads_A100_v4", "minCount": 0, "maxCount": 2},
        ],
    }
)
FACTS = ClusterFacts("aks", SUBSCRIPTION, "rg-mltest", "mltest", "westeurope", 3)
WORKSPACE = Workspace(
    id=f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/"
    "Microsoft.MachineLearningServices/workspaces/mlw"
)
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"


def aks_cluster(**overrides) -> AksCluster:
    component = {
        key: overrides.pop(key)
        for key in ("workspaces", "deployer_object_id", "opts")
        if key in overrides
    }
    inputs = dict(
        facts=FACTS,
        resource_group_name="rg-mltest",
        subnet_id=None,
        authorized_ranges=[],
        production=False,
        container_insights=False,
        defender=False,
    )
    inputs.update(overrides)
    return AksCluster("t", CLUSTER, AksInputs(**inputs), **component)


def test_managed_identity_and_entra_only_by_default(mocks):
    mocks.run(aks_cluster)
    inputs = mocks.one(MANAGED_CLUSTER).inputs
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["disableLocalAccounts"] is True
    assert inputs["aadProfile"] == {"managed": True, "enableAzureRBAC": True}


def test_autoscaled_pool_starts_at_its_minimum(mocks):
    mocks.run(aks_cluster)
    pools = mocks.one(MANAGED_CLUSTER).inputs["agentPoolProfiles"]
    assert [(p["name"], p["count"], p["enableAutoScaling"]) for p in pools] == [
        ("system", 3, False),
        ("gpu", 0, True),
    ]


def test_authorized_ranges_are_sent_as_given(mocks):
    mocks.run(lambda: aks_cluster(authorized_ranges=["203.0.113.0/24", "13.69.64.192/28"]))
    profile = mocks.one(MANAGED_CLUSTER).inputs["apiServerAccessProfile"]
    assert profile["authorizedIPRanges"] == ["203.0.113.0/24", "13.69.64.192/28"]


def test_no_trusted_access_binding_without_a_workspace(mocks):
    mocks.run(aks_cluster)
    assert mocks.of_type("azure-native:containerservice:TrustedAccessRoleBinding") == []


def test_trusted_access_binding_for_the_workspace(mocks):
    mocks.run(lambda: aks_cluster(workspaces=[WORKSPACE]))
    binding = mocks.one("azure-native:containerservice:TrustedAccessRoleBinding").inputs
    assert binding["roles"] == [aks.TRUSTED_ACCESS_ROLE]
    assert binding["trustedAccessRoleBindingName"] == "azureml-mlw"
    assert binding["sourceResourceId"] == WORKSPACE.id


def test_no_deployer_role_unless_asked(mocks):
    mocks.run(aks_cluster)
    assert mocks.of_type("azure-native:authorization:RoleAssignment") == []


def test_deployer_becomes_cluster_admin(mocks):
    deployer = "11111111-1111-1111-1111-111111111111"
    mocks.run(lambda: aks_cluster(deployer_object_id=deployer))
    role = mocks.one("azure-native:authorization:RoleAssignment").inputs
    assert role["principalId"] == deployer
    assert role["roleDefinitionId"].endswith(
        "/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
    )


def test_production_monitoring_shares_one_log_workspace(mocks):
    mocks.run(lambda: aks_cluster(container_insights=True, defender=True, production=True))
    assert len(mocks.of_type("azure-native:operationalinsights:Workspace")) == 1
    inputs = mocks.one(MANAGED_CLUSTER).inputs
    assert inputs["addonProfiles"]["omsagent"]["enabled"] is True
    assert inputs["securityProfile"]["defender"]["securityMonitoring"] == {"enabled": True}
    assert inputs["sku"] == {"name": "Base", "tier": "Standard"}


def test_outputs_registered_and_kubeconfig_secret(mocks):
    def build():
        cluster = aks_cluster()
        return {
            "kind": cluster.kind,
            "nodeCount": cluster.node_count,
            "clusterResourceId": cluster.cluster_resource_id,
            "secret": pulumi.Output.from_input(cluster.kubeconfig.is_secret()),
        }

    outputs = mocks.run(build)
    assert outputs == {
        "kind": "aks",
        "nodeCount": 3,
        "clusterResourceId": FACTS.resource_id,
        "secret": True,
    }


def test_production_upgrades_tier_windows_and_surge(mocks):
    mocks.run(lambda: aks_cluster(production=True))
    inputs = mocks.one(MANAGED_CLUSTER).inputs
    assert inputs["sku"] == {"name": "Base", "tier": "Standard"}
    assert inputs["autoUpgradeProfile"] == {
        "upgradeChannel": "patch",
        "nodeOSUpgradeChannel": "NodeImage",
    }
    assert "supportPlan" not in inputs
    pools = {p["name"]: p.get("upgradeSettings") for p in inputs["agentPoolProfiles"]}
    assert pools == {
        "system": {"maxSurge": "33%"},
        "gpu": {"maxSurge": "1", "undrainableNodeBehavior": "Cordon"},
    }
    windows = {
        m.inputs["configName"]: m.inputs
        for m in mocks.of_type("azure-native:containerservice:MaintenanceConfiguration")
    }
    assert sorted(windows) == ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]
    auto = windows["aksManagedAutoUpgradeSchedule"]
    assert auto["resourceName"] == "mltest"
    assert auto["maintenanceWindow"]["schedule"] == {
        "weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}
    }
    assert auto["maintenanceWindow"]["durationHours"] == 4


def test_elsewhere_nothing_is_sent_and_premium_brings_long_term_support(mocks):
    mocks.run(aks_cluster)
    inputs = mocks.one(MANAGED_CLUSTER).inputs
    assert inputs["sku"]["tier"] == "Free" and "autoUpgradeProfile" not in inputs
    assert all("upgradeSettings" not in p for p in inputs["agentPoolProfiles"])
    assert mocks.of_type("azure-native:containerservice:MaintenanceConfiguration") == []


def test_premium_sends_the_lts_plan(mocks):
    premium = CLUSTER.model_copy(update={"tier": "Premium"})
    mocks.run(
        lambda: AksCluster(
            "t",
            premium,
            AksInputs(FACTS, "rg-mltest", None, [], False, False, False),
        )
    )
    inputs = mocks.one(MANAGED_CLUSTER).inputs
    assert (inputs["sku"]["tier"], inputs["supportPlan"]) == ("Premium", "AKSLongTermSupport")
