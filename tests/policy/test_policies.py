"""Every policy over one compliant platform (tests/policy/world.py) and one mutation per case:
each mutation must fail exactly its own policy, nothing else. Then values unknown at preview,
the graph-first rule, and each policy's config."""

from __future__ import annotations

import copy

import pytest
from pulumi_policy.proxy import UnknownValueError

from catalog import regions
from policy import pack, waivers
from tests.policy.world import AUTHORIZED, UNKNOWN, Spec, baseline, run, run_rule


@pytest.fixture(autouse=True)
def _empty_ledger():
    waivers.LEDGER.clear()
    yield
    waivers.LEDGER.clear()


def put(world, name, path, value):
    """Set (or with None, remove) a property at a dotted path; list indexes are ints."""
    target = world[name].props
    for key in path[:-1]:
        target = target[key]
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return world


def settings(world):
    return world["ml"].props["configurationSettings"]


def _drop(world, name):
    del world[name]
    return world


def _add(world, name, spec):
    world[name] = spec
    return world


def _sp(world):
    put(world, "aks", ["servicePrincipalProfile"], {"clientId": "0000-app", "secret": "x"})
    return world


SCALER = {
    "apiVersion": "keda.sh/v1alpha1",
    "kind": "ScaledObject",
    "metadata": {"name": "blue", "namespace": "team-a"},
    "spec": {"scaleTargetRef": {"name": "blue"}},
}
VPA = {
    "apiVersion": "autoscaling.k8s.io/v1",
    "kind": "VerticalPodAutoscaler",
    "metadata": {"name": "blue", "namespace": "models"},
    "spec": {"targetRef": {"kind": "Deployment", "name": "blue"}},
}
OTHER_WORKSPACE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/"
    "Microsoft.MachineLearningServices/workspaces/other"
)
REGISTRY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.MachineLearningServices/registries/shared/models/phi/versions/1"
)

# (policy, case, mutation, where the violation lands)
CASES = [
    (
        "no-hpa-on-model-deployments",
        "hpa in a compute namespace",
        lambda w: put(w, "web-hpa", ["metadata", "namespace"], "team-a"),
        "web-hpa",
    ),
    (
        "no-hpa-on-model-deployments",
        "hpa on an Azure ML labelled workload",
        lambda w: put(w, "web", ["metadata", "labels"], {"isazuremlapp": "true"}),
        "web-hpa",
    ),
    (
        "no-hpa-on-model-deployments",
        "KEDA ScaledObject in a compute namespace",
        lambda w: _add(w, "keda", Spec("kubernetes:keda.sh/v1alpha1:ScaledObject", SCALER)),
        "keda",
    ),
    (
        "no-hpa-on-model-deployments",
        "VPA in Auto mode (its default) on an online deployment",
        lambda w: _add(
            w, "vpa", Spec("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", VPA)
        ),
        "vpa",
    ),
    (
        "router-ha-needs-three-nodes",
        "two nodes",
        lambda w: put(w, "aks", ["agentPoolProfiles", 0, "count"], 2),
        "ml",
    ),
    (
        "router-ha-needs-three-nodes",
        "three nodes that azureml-fe does not tolerate (NoSchedule)",
        lambda w: put(w, "aks", ["agentPoolProfiles", 0, "nodeTaints"], ["sku=gpu:NoSchedule"]),
        "ml",
    ),
    (
        "router-ha-needs-three-nodes",
        # Only the GPU pool (autoscaled from 0: no sure node) has the label the extension pins to.
        "an extension nodeSelector only a pool of no sure nodes holds",
        lambda w: put(w, "ml", ["configurationSettings", "nodeSelector.accelerator"], "a100"),
        "ml",
    ),
    (
        "router-ha-needs-three-nodes",
        "autoscaled pool counts its minCount",
        lambda w: put(
            w,
            "aks",
            ["agentPoolProfiles", 0],
            {
                "name": "system",
                "count": 5,
                "minCount": 1,
                "enableAutoScaling": True,
                "vmSize": "Standard_D16s_v5",
            },
        ),
        "ml",
    ),
    ("aks-managed-identity-required", "service principal", _sp, "aks"),
    (
        "aks-managed-identity-required",
        "no identity",
        lambda w: put(w, "aks", ["identity"], None),
        "aks",
    ),
    (
        "aks-managed-identity-required",
        "identity type None",
        lambda w: put(w, "aks", ["identity"], {"type": "None"}),
        "aks",
    ),
    (
        "aks-managed-identity-required",
        "service principal whose id is unknown at preview",
        lambda w: put(w, "aks", ["servicePrincipalProfile"], {"clientId": UNKNOWN}),
        "aks",
    ),
    (
        "no-pod-identity",
        "pod identity on",
        lambda w: put(w, "aks", ["podIdentityProfile"], {"enabled": True}),
        "aks",
    ),
    (
        "local-accounts-off-needs-trusted-access",
        "no trusted access binding",
        lambda w: _drop(w, "ta"),
        "aks",
    ),
    (
        "local-accounts-off-needs-trusted-access",
        "binding for another workspace",
        lambda w: (
            put(w, "ta", ["sourceResourceId"], OTHER_WORKSPACE),
            w["ta"].prop_deps.pop("sourceResourceId"),
        )[0],  # decided by the workspace names; the (unknown) resource group is never read
        "compute",
    ),
    (
        "local-accounts-off-needs-trusted-access",
        "binding without the mlworkload role",
        lambda w: put(w, "ta", ["roles"], ["Microsoft.Storage/storageAccounts/reader"]),
        "aks",
    ),
    (
        "authorized-ranges-admit-azureml",
        "paired region's ranges missing",
        lambda w: put(
            w,
            "aks",
            ["apiServerAccessProfile", "authorizedIPRanges"],
            ["203.0.113.0/24", *regions.control_plane_ranges("westeurope")],
        ),
        "aks",
    ),
    (
        "authorized-ranges-admit-azureml",
        "more than 200 ranges",
        lambda w: put(
            w,
            "aks",
            ["apiServerAccessProfile", "authorizedIPRanges"],
            AUTHORIZED + [f"198.51.{i}.0/24" for i in range(200)],
        ),
        "aks",
    ),
    (
        "authorized-ranges-admit-azureml",
        "0.0.0.0/32 mixed with others",
        lambda w: put(
            w, "aks", ["apiServerAccessProfile", "authorizedIPRanges"], ["0.0.0.0/32", *AUTHORIZED]
        ),
        "aks",
    ),
    (
        "authorized-ranges-admit-azureml",
        "a range that does not start at its network address",
        lambda w: put(
            w,
            "aks",
            ["apiServerAccessProfile", "authorizedIPRanges"],
            ["203.0.113.7/24", *AUTHORIZED[1:]],
        ),
        "aks",
    ),
    (
        "extension-settings-complete",
        "only the documented keys (no cluster id)",
        lambda w: put(w, "ml", ["configurationSettings", "clusterId"], None),
        "ml",
    ),
    (
        "extension-settings-complete",
        "sslSecret not rewritten to scoringFe.sslSecret",
        lambda w: put(w, "ml", ["configurationSettings", "scoringFe.sslSecret"], None),
        "ml",
    ),
    (
        "extension-valid-combination",
        "no workload enabled",
        lambda w: (
            put(w, "ml", ["configurationSettings", "enableTraining"], "False"),
            put(w, "ml", ["configurationSettings", "enableInference"], "False"),
        )[0],
        "ml",
    ),
    (
        "extension-valid-combination",
        "inference without a valid router service type",
        lambda w: put(w, "ml", ["configurationSettings", "inferenceRouterServiceType"], "ingress"),
        "ml",
    ),
    (
        "extension-valid-combination",
        "HTTPS without sslCname",
        lambda w: put(w, "ml", ["configurationSettings", "sslCname"], None),
        "ml",
    ),
    (
        "extension-valid-combination",
        "nodePort with an internal load balancer",
        lambda w: (
            settings(w).update(
                {
                    "inferenceRouterServiceType": "nodePort",
                    "scoringFe.serviceType.nodePort": "True",
                    "internalLoadBalancerProvider": "azure",
                }
            )
            or w
        ),
        "ml",
    ),
    (
        "https-in-prod",
        "insecure connections in production",
        lambda w: put(w, "ml", ["configurationSettings", "allowInsecureConnections"], "True"),
        "ml",
    ),
    (
        "protected-settings-secret",
        "TLS key in plain settings",
        lambda w: put(w, "ml", ["configurationSettings", "scoringFe.sslKey"], "LS0tLS1CRUdJTiBQ"),
        "ml",
    ),
    (
        "protected-settings-secret",
        "PEM under an unexpected key",
        lambda w: put(w, "ml", ["configurationSettings", "extra"], "-----BEGIN PRIVATE KEY-----"),
        "ml",
    ),
    (
        "protected-settings-in-state",
        "protected settings not marked secret",
        lambda w: put(w, "ml", ["configurationProtectedSettings"], {"scoringFe.sslCert": "x"}),
        "ml",
    ),
    (
        "legacy-aks-compute",
        "computeType AKS",
        lambda w: put(w, "compute-b", ["properties", "computeType"], "AKS"),
        "compute-b",
    ),
    (
        "instance-type-valid",
        "no memory limit",
        lambda w: put(w, "it", ["spec", "resources", "limits", "memory"], None),
        "it",
    ),
    (
        "instance-type-valid",
        "GPU in requests",
        lambda w: put(w, "it", ["spec", "resources", "requests", "nvidia.com/gpu"], 1),
        "it",
    ),
    (
        "instance-type-valid",
        "fractional GPU",
        lambda w: put(w, "it", ["spec", "resources", "limits", "nvidia.com/gpu"], 0.5),
        "it",
    ),
    (
        "instance-type-valid",
        "zero CPU",
        lambda w: put(w, "it", ["spec", "resources", "requests", "cpu"], "0"),
        "it",
    ),
    (
        "instance-type-valid",
        "inline instance type without requests",
        lambda w: put(
            w,
            "compute",
            ["properties", "properties", "instanceTypes", "gpu", "resources"],
            {"limits": {"cpu": "1", "memory": "1Gi"}},
        ),
        "compute",
    ),
    (
        "instance-type-valid",
        "nodeSelector outside the extension's",
        # The system pool carries the label, so azureml-fe itself still has its three nodes.
        lambda w: put(
            put(w, "aks", ["agentPoolProfiles", 0, "nodeLabels"], {"pool": "ml"}),
            "ml",
            ["configurationSettings", "nodeSelector.pool"],
            "ml",
        ),
        "it",  # the inline type on the same cluster fails too: checked below
    ),
    (
        "no-registry-models-on-kubernetes",
        "azureml://registries model",
        lambda w: put(
            w,
            "blue",
            ["properties", "model"],
            "azureml://registries/azureml/models/phi/versions/1",
        ),
        "blue",
    ),
    (
        "no-registry-models-on-kubernetes",
        "registry model by ARM id",
        lambda w: put(w, "blue", ["properties", "model"], REGISTRY_ID),
        "blue",
    ),
    (
        "no-registry-models-on-kubernetes",
        "model version made in a registry (id unknown at preview)",
        lambda w: (
            put(w, "blue", ["properties", "model"], UNKNOWN),
            w["blue"].prop_deps.update({"properties": ["phi"]}),
            _add(
                w,
                "phi",
                Spec("azure-native:machinelearningservices:RegistryModelVersion", {"version": "1"}),
            ),
        )[0],
        "blue",
    ),
    (
        "gpu-pools-need-nvidia-plugin",
        "GPU pool without the device plugin",
        lambda w: put(w, "ml", ["configurationSettings", "installNvidiaDevicePlugin"], "False"),
        "ml",
    ),
    (
        "prod-capacity",
        "too little memory",
        lambda w: put(w, "aks", ["agentPoolProfiles", 0, "vmSize"], "Standard_B2s"),
        "aks",
    ),
    (
        "prod-capacity",
        "VM size unknown to the catalog",
        lambda w: put(w, "aks", ["agentPoolProfiles", 0, "vmSize"], "Standard_Z9"),
        "aks",
    ),
    (
        "container-insights-on",
        "no Container Insights",
        lambda w: put(w, "aks", ["addonProfiles"], None),
        "aks",
    ),
    (
        "defender-on",
        "no Defender",
        lambda w: put(w, "aks", ["securityProfile"], None),
        "aks",
    ),
    (
        "scale-settings-sane",
        "min above max",
        lambda w: put(w, "blue", ["properties", "scaleSettings", "minInstances"], 20),
        "blue",
    ),
    (
        "scale-settings-sane",
        "target outside 1..100",
        lambda w: put(
            w,
            "blue",
            ["properties", "scaleSettings", "targetUtilizationPercentage"],
            0,
        ),
        "blue",
    ),
    (
        "scale-settings-sane",
        "max below the formula for the declared load",
        lambda w: put(w, "blue", ["properties", "scaleSettings", "maxInstances"], 3),
        "blue",
    ),
    (
        "compute-namespace-unique",
        "two attaches in one namespace",
        lambda w: put(w, "compute-b", ["properties", "properties", "namespace"], "team-a"),
        "compute-b",
    ),
    (
        "kubernetes-online-limits",
        "61 endpoints on one cluster",
        lambda w: _endpoints(w, 60),
        "score-59",
    ),
    (
        "production-tier",
        "free tier in prod",
        lambda w: put(w, "aks", ["sku", "tier"], "Free"),
        "aks",
    ),
    ("production-tier", "no sku in prod", lambda w: put(w, "aks", ["sku"], None), "aks"),
    (
        "auto-upgrade-channel-set",
        "channel none in prod",
        lambda w: put(w, "aks", ["autoUpgradeProfile", "upgradeChannel"], "none"),
        "aks",
    ),
    (
        "upgrades-have-windows",
        "kubernetes auto-upgrade without its window",
        lambda w: w.pop("aksManagedAutoUpgradeSchedule") and w,
        "aks",
    ),
    (
        "upgrades-have-windows",
        "default node OS channel without its window",
        lambda w: put(
            w.pop("aksManagedNodeOSUpgradeSchedule") and w,
            "aks",
            ["autoUpgradeProfile", "nodeOSUpgradeChannel"],
            None,
        ),
        "aks",
    ),
    (
        "extension-version-pin",
        "pinned version with auto-upgrade on",
        lambda w: put(w, "ml", ["version"], "1.1.39"),
        "ml",
    ),
    (
        "one-nvidia-device-plugin",
        "the team's own plugin beside the extension's",
        lambda w: put(w, "web", ["metadata", "name"], "nvidia-device-plugin-daemonset"),
        "ml",
    ),
]


def test_baseline_passes_every_policy():
    assert run(baseline()) == []
    assert waivers.LEDGER == []


# Policies whose owners test them elsewhere (tests/policy/test_egress_policy.py).
ELSEWHERE = {"egress-covers-documented-hosts"}


def test_every_policy_has_a_case():
    covered = {policy for policy, *_ in CASES}
    assert covered == {rule.name for rule in pack.rules()} - ELSEWHERE


@pytest.mark.parametrize("policy,case,mutate,where", CASES, ids=[c[1] for c in CASES])
def test_mutation_fails_exactly_its_policy(policy, case, mutate, where):
    found = run(mutate(baseline()))
    assert found, case
    assert {p for p, _, _ in found} == {policy}, found
    assert where in {w for _, w, _ in found}, found


def test_vpa_that_does_not_evict_is_fine():
    world = baseline()
    vpa = dict(VPA, spec={**VPA["spec"], "updatePolicy": {"updateMode": "Off"}})
    world["vpa"] = Spec("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", vpa)
    assert run(world) == []


def test_ha_off_on_two_nodes_is_fine():
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "count"], 2)
    put(world, "ml", ["configurationSettings", "inferenceRouterHA"], "False")
    assert [p for p, _, _ in run(world)] == []


def test_separate_agent_pools_count():
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "count"], 2)
    put(world, "gpu", ["count"], 1)
    put(world, "gpu", ["enableAutoScaling"], False)
    assert run(world) == []


ARC_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-edge/providers/"
    "Microsoft.Kubernetes/connectedClusters/factory"
)


@pytest.mark.parametrize("nodes,expected", [(2, 1), (3, 0)])
def test_ha_on_arc_reads_the_cluster_component(nodes, expected):
    world = {
        "arc": Spec(
            "azureml-k8s:index:ArcCluster", {"clusterResourceId": ARC_ID, "nodeCount": nodes}
        ),
        "ml": baseline()["ml"],
    }
    world["ml"].prop_deps = {}
    world["ml"].props.update(
        resourceGroupName="rg-edge",
        clusterName="factory",
        clusterRp="Microsoft.Kubernetes",
        clusterResourceName="connectedClusters",
    )
    assert len(run_rule("router-ha-needs-three-nodes", world)) == expected


# Unknown at preview: the graph answers when it can; otherwise the deciding value is read and
# the SDK reports the policy as not evaluated (UnknownValueError), never as passed.


def test_a_cluster_no_workspace_attaches_yet_needs_no_trusted_access():
    # The cluster and the extension first, local accounts off (the default), no attach yet.
    world = _drop(_drop(_drop(baseline(), "ta"), "compute"), "compute-b")
    assert run_rule("local-accounts-off-needs-trusted-access", world) == []
    # Its neighbour with the attach, still without a binding, fails.
    assert run_rule("local-accounts-off-needs-trusted-access", _drop(baseline(), "ta"))


def test_a_taint_azureml_fe_may_ignore_still_counts_its_nodes():
    # PreferNoSchedule only discourages: three such nodes are three nodes for the router.
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "nodeTaints"], ["a=b:PreferNoSchedule"])
    assert run_rule("router-ha-needs-three-nodes", world) == []


def test_the_graph_answers_before_any_unknown_name():
    """The baseline's resource group names, cluster names, workspace names and ids are all
    unknown; every policy still decides (see test_baseline_passes_every_policy). Here: a two-node
    cluster found through the graph only fails HA, not "could not be evaluated"."""
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "count"], 2)
    assert [p for p, _, _ in run(world)] == ["router-ha-needs-three-nodes"]


@pytest.mark.parametrize(
    "policy,mutate",
    [
        (
            "router-ha-needs-three-nodes",
            lambda w: put(w, "aks", ["agentPoolProfiles", 0, "count"], UNKNOWN),
        ),
        (
            "router-ha-needs-three-nodes",  # no edge: the unknown names must be compared
            lambda w: setattr(w["ml"], "prop_deps", {}) or w,
        ),
        (
            "no-registry-models-on-kubernetes",
            lambda w: put(w, "blue", ["properties", "model"], UNKNOWN),
        ),
        ("no-pod-identity", lambda w: put(w, "aks", ["podIdentityProfile"], {"enabled": UNKNOWN})),
        (
            "local-accounts-off-needs-trusted-access",
            lambda w: w["ta"].prop_deps.pop("sourceResourceId") and w,
        ),
        (
            "authorized-ranges-admit-azureml",
            lambda w: put(w, "aks", ["apiServerAccessProfile", "authorizedIPRanges"], UNKNOWN),
        ),
        (
            "instance-type-valid",
            lambda w: put(w, "it", ["spec", "resources", "limits", "cpu"], UNKNOWN),
        ),
        (
            "no-hpa-on-model-deployments",
            lambda w: put(w, "web-hpa", ["metadata", "namespace"], UNKNOWN),
        ),
        ("aks-managed-identity-required", lambda w: put(w, "aks", ["identity", "type"], UNKNOWN)),
        (
            "extension-settings-complete",
            lambda w: put(w, "ml", ["configurationSettings", "enableInference"], UNKNOWN),
        ),
        (
            "extension-valid-combination",
            lambda w: put(
                w, "ml", ["configurationSettings", "inferenceRouterServiceType"], UNKNOWN
            ),
        ),
        (
            "https-in-prod",
            lambda w: put(w, "ml", ["configurationSettings", "allowInsecureConnections"], UNKNOWN),
        ),
        (
            "legacy-aks-compute",
            lambda w: put(w, "compute-b", ["properties", "computeType"], UNKNOWN),
        ),
        (
            "gpu-pools-need-nvidia-plugin",  # read only when the extension does not install it
            lambda w: put(
                put(w, "gpu", ["vmSize"], UNKNOWN),
                "ml",
                ["configurationSettings", "installNvidiaDevicePlugin"],
                "False",
            ),
        ),
        ("prod-capacity", lambda w: put(w, "aks", ["agentPoolProfiles", 0, "count"], UNKNOWN)),
        (
            "container-insights-on",
            lambda w: put(w, "aks", ["addonProfiles", "omsagent", "enabled"], UNKNOWN),
        ),
        (
            "defender-on",
            lambda w: put(
                w, "aks", ["securityProfile", "defender", "securityMonitoring", "enabled"], UNKNOWN
            ),
        ),
        (
            "scale-settings-sane",
            lambda w: put(w, "blue", ["properties", "scaleSettings", "maxInstances"], UNKNOWN),
        ),
        (
            "compute-namespace-unique",
            lambda w: put(w, "compute-b", ["properties", "properties", "namespace"], UNKNOWN),
        ),
    ],
)
def test_unknown_deciding_value_is_not_evaluated(policy, mutate):
    with pytest.raises(UnknownValueError) as info:
        run_rule(policy, mutate(baseline()))
    assert "can't be known during preview" in info.value.message


def test_older_sdk_property_name():
    """azure-native v1 flattened a deployment's `properties` into onlineDeploymentProperties."""
    world = baseline()
    props = world["blue"].props
    props["onlineDeploymentProperties"] = props.pop("properties")
    props["onlineDeploymentProperties"]["model"] = (
        "azureml://registries/azureml/models/x/versions/1"
    )
    assert len(run_rule("no-registry-models-on-kubernetes", world)) == 1


def test_secret_keys_decide_without_reading_their_values():
    """protected-settings-secret and -in-state decide from keys and options: unknown (secret)
    values do not stop them."""
    world = put(
        baseline(), "ml", ["configurationProtectedSettings"], {"scoringFe.sslCert": UNKNOWN}
    )
    put(world, "ml", ["configurationSettings", "scoringFe.sslKey"], UNKNOWN)
    assert len(run_rule("protected-settings-secret", world)) == 1
    assert len(run_rule("protected-settings-in-state", world)) == 1
    world["ml"].secret_outputs = ["configurationProtectedSettings"]
    assert len(run_rule("protected-settings-in-state", world)) == 0


def test_without_an_edge_names_decide_before_unknown_groups():
    """An extension on another cluster (by name) needs no resource group; one naming this
    cluster does, and it is unknown: not evaluated."""
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "count"], 2)
    world["ml"].prop_deps = {}
    put(world, "ml", ["clusterName"], "elsewhere")
    assert run_rule("router-ha-needs-three-nodes", world) == []
    put(world, "ml", ["clusterName"], "mlprod")
    with pytest.raises(UnknownValueError):
        run_rule("router-ha-needs-three-nodes", world)


def test_settings_whose_presence_counts_may_be_unknown():
    """An sslCname from a DNS record (unknown at preview) is still an sslCname."""
    world = put(baseline(), "ml", ["configurationSettings", "sslCname"], UNKNOWN)
    assert run_rule("extension-valid-combination", world) == []
    put(world, "ml", ["configurationSettings", "sslSecret"], None)
    put(world, "ml", ["configurationSettings", "scoringFe.sslSecret"], UNKNOWN)
    assert run_rule("extension-valid-combination", world) == []  # read back from the internal key


def test_model_version_from_the_workspace_needs_no_id():
    world = put(baseline(), "blue", ["properties", "model"], UNKNOWN)
    world["blue"].prop_deps["properties"] = ["model"]
    world["model"] = Spec("azure-native:machinelearningservices:ModelVersion", {"version": "3"})
    assert run_rule("no-registry-models-on-kubernetes", world) == []


# Config.


def test_ha_threshold_is_configurable():
    assert run_rule("router-ha-needs-three-nodes", baseline(), {"minNodes": 4})
    assert not run_rule("router-ha-needs-three-nodes", baseline(), {"minNodes": 3})


@pytest.mark.parametrize(
    "stack,config,tags,expected",
    [
        ("prod", None, None, 1),
        ("dev", None, None, 0),
        ("team-a-prod", None, None, 1),
        ("dev", {"productionStacks": ["dev"]}, None, 1),
        ("prod", {"productionStacks": []}, None, 0),
        ("staging", None, {"environment": "Production"}, 1),
        ("staging", {"productionTags": {}}, {"environment": "production"}, 0),
    ],
)
def test_production_marker(stack, config, tags, expected):
    world = put(baseline(), "ml", ["configurationSettings", "allowInsecureConnections"], "True")
    rule = next(r for r in pack.rules() if r.name == "https-in-prod")
    from tests.policy.world import build

    assert len(rule.run(build(world), config, stack, tags)) == expected


def test_advisories_can_cover_every_stack():
    world = put(baseline(), "aks", ["securityProfile"], None)
    assert not run_rule("defender-on", world, stack="dev")
    assert run_rule("defender-on", world, {"productionOnly": False}, stack="dev")


def test_control_plane_ranges_from_config():
    world = put(baseline(), "aks", ["location"], "westus")
    put(world, "aks", ["apiServerAccessProfile", "authorizedIPRanges"], ["203.0.113.0/24"])
    extra = {"controlPlaneRanges": {"westus": ["203.0.113.16/28"], "eastus": ["203.0.113.32/28"]}}
    if regions.control_plane_ranges("westus") or regions.control_plane_ranges("eastus"):
        assert run_rule("authorized-ranges-admit-azureml", world, extra)  # catalog ranges missing
    world = put(world, "aks", ["location"], "nowhere")
    found = run_rule("authorized-ranges-admit-azureml", world)
    assert (
        found and "no Azure ML control-plane ranges are known for region 'nowhere'" in found[0][0]
    )
    assert not run_rule(
        "authorized-ranges-admit-azureml",
        world,
        {"controlPlaneRanges": {"nowhere": ["203.0.113.0/28"]}},
    )


def test_region_from_the_resource_group():
    world = put(baseline(), "aks", ["location"], None)
    assert not run_rule("authorized-ranges-admit-azureml", world)
    put(world, "rg", ["location"], "eastasia")
    assert run_rule("authorized-ranges-admit-azureml", world)


def test_declared_vm_sizes():
    world = put(baseline(), "aks", ["agentPoolProfiles", 0, "vmSize"], "Standard_Z9")
    config = {"vmSizes": {"Standard_Z9": {"vcpu": 8, "memoryGiB": 32}}}
    assert not run_rule("prod-capacity", world, config)


def test_declared_load_by_deployment_name():
    config = {"declaredLoads": {"blue": {"rps": 100, "requestTimeMs": 500}}}
    found = run_rule("scale-settings-sane", baseline(), config)
    assert found and "72 replicas" in found[0][0]


def test_declared_load_beyond_what_router_sizes():
    config = {"declaredLoads": {"blue": {"rps": 5_000_000, "requestTimeMs": 500}}}
    found = run_rule("scale-settings-sane", baseline(), config)
    assert found and "the declared load cannot be sized: rps" in found[0][0]


def test_plugin_installed_by_the_program():
    world = put(baseline(), "ml", ["configurationSettings", "installNvidiaDevicePlugin"], "False")
    world["plugin"] = Spec(
        "kubernetes:apps/v1:DaemonSet",
        {"metadata": {"name": "nvidia-device-plugin-daemonset", "namespace": "kube-system"}},
    )
    assert not run_rule("gpu-pools-need-nvidia-plugin", world)


def test_invalid_config_is_a_violation():
    found = run_rule("router-ha-needs-three-nodes", baseline(), {"minNodes": "three"})
    assert found and found[0][0].startswith("invalid policy config at minNodes")


def test_misspelt_config_key_is_a_violation():
    found = run_rule("router-ha-needs-three-nodes", baseline(), {"minNode": 4})
    assert found and "'minNode' was unexpected" in found[0][0]


def test_secret_values_are_never_echoed():
    world = put(
        baseline(), "ml", ["configurationSettings", "scoringFe.sslKey"], "LS0tLS1CRUdJTiBTRUNSRVQ="
    )
    messages = " ".join(m for _, _, m in run(world))
    assert "scoringFe.sslKey" in messages and "LS0tLS1CRUdJTiBTRUNSRVQ=" not in messages


def test_unknown_ranges_count_towards_the_limit_and_hide_nothing():
    """The egress firewall's public IPs are unknown at preview: the known ranges are still
    checked, and the unknown ones still count towards AKS's 200."""
    ranges = [*AUTHORIZED, UNKNOWN, UNKNOWN]
    world = put(baseline(), "aks", ["apiServerAccessProfile", "authorizedIPRanges"], ranges)
    assert not run_rule("authorized-ranges-admit-azureml", world)
    padding = [f"198.51.{i // 256}.{i % 256}/32" for i in range(200 - len(AUTHORIZED) - 1)]
    put(world, "aks", ["apiServerAccessProfile", "authorizedIPRanges"], [*ranges, *padding])
    found = run_rule("authorized-ranges-admit-azureml", world)
    assert found and "has 201 authorized IP ranges" in found[0][0], found
    put(world, "aks", ["apiServerAccessProfile", "authorizedIPRanges"], ["203.0.113.0/24", UNKNOWN])
    found = run_rule("authorized-ranges-admit-azureml", world)
    assert found and "omit the Azure ML control plane" in found[0][0], found


def _endpoints(world, count: int, deployments_each: int = 0):
    """`count` more endpoints on the team-a compute, each with `deployments_each` deployments."""
    for i in range(count):
        endpoint = copy.deepcopy(world["score"])
        endpoint.props["endpointName"] = f"score-{i}"
        world[f"score-{i}"] = endpoint
        for j in range(deployments_each):
            deployment = copy.deepcopy(world["blue"])
            deployment.props["endpointName"] = f"score-{i}"
            deployment.props["deploymentName"] = f"d{j}"
            deployment.prop_deps = {"workspaceName": ["ws"], "endpointName": [f"score-{i}"]}
            world[f"score-{i}-d{j}"] = deployment
    assert all(isinstance(s, Spec) for s in world.values())
    return world


def test_kubernetes_online_limits_per_cluster_and_per_endpoint():
    limits = "kubernetes-online-limits"
    # 60 endpoints on one cluster pass (the limit itself); the 61st fails, named.
    assert not run_rule(limits, _endpoints(baseline(), 59))
    found = run_rule(limits, _endpoints(baseline(), 60))
    assert len(found) == 1 and "61 Kubernetes online endpoints" in found[0][0], found
    # 20 deployments on one endpoint pass; 21 fail.
    assert not run_rule(limits, _endpoints(baseline(), 1, deployments_each=20))
    found = run_rule(limits, _endpoints(baseline(), 1, deployments_each=21))
    assert len(found) == 1 and "has 21 deployments" in found[0][0], found
    # 100 deployments on one cluster pass (5 x 20 minus blue's one); 101 fail.
    world = _endpoints(baseline(), 5, deployments_each=20)
    del world["score-4-d19"]
    assert not run_rule(limits, world)
    found = run_rule(limits, _endpoints(baseline(), 5, deployments_each=20))
    assert len(found) == 1 and "101 Kubernetes online deployments" in found[0][0], found


def test_kubernetes_online_limits_count_each_cluster_apart():
    """Endpoints on another cluster's compute do not count towards this one's 60."""
    world = _endpoints(baseline(), 40)
    other = copy.deepcopy(world["compute-b"])
    other.prop_deps = {"resourceGroupName": ["rg"], "workspaceName": ["ws"], "properties": []}
    other.props["properties"]["resourceId"] = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-edge/providers/"
        "Microsoft.Kubernetes/connectedClusters/edge"
    )
    world["compute-edge"] = other
    for i in range(30):
        world[f"score-{i}"].prop_deps = {"workspaceName": ["ws"], "properties": ["compute-edge"]}
    assert not run_rule("kubernetes-online-limits", world)
