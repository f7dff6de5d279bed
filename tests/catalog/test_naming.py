"""Each Azure naming rule against the examples its source gives, and `fit`: generated names are
valid, unchanged when they already were, deterministic and apart from each other."""

from __future__ import annotations

import pytest

from catalog import aks, naming
from catalog.naming import fit

# (rule, accepted, refused): the edges each rule's source states.
CASES = [
    (
        naming.KUBERNETES_COMPUTE,
        ["k8s-compute", "k8s-team-a", "k8s-team1", "abc", "a" * 16],
        # ARM: a letter first, 3 at least, never '-<digits>' at the end; Learn: 16 at most;
        # the service: ends with a letter or digit.
        ["ab", "k8s-team-1", "my-comp-01", "1abc", "a" * 17, "abc-", "k8s_team", "k8s.team"],
    ),
    (
        naming.LOG_ANALYTICS_WORKSPACE,
        ["mlprod-logs", "abcd", "a" * 63, "0-logs"],
        ["abc", "a" * 64, "ml_prod-logs", "-logs", "logs-", "ml.prod"],
    ),
    (
        naming.VIRTUAL_NETWORK,
        ["mlprod-vnet", "ab", "a_b", "a.b_", "a" * 64],
        ["a", "a" * 65, "-vnet", "vnet.", "vnet-", "ml prod"],
    ),
    (
        naming.NETWORK_RESOURCE,
        ["mlprod-egress", "a", "a_", "a.b", "a" * 80],
        ["a" * 81, "_a", ".a", "a.", "a-", "a/b", ""],
    ),
    (
        naming.RESOURCE_GROUP,
        ["rg-mlprod", "rg_(ml).prod", "a", "a" * 90],
        ["a" * 91, "rg.", "rg/ml", "rg ml", ""],
    ),
    (
        naming.ONLINE_ENDPOINT,
        ["fraud-score", "abc", "a" * 32, "a1-b2"],
        ["ab", "a" * 33, "1abc", "abc-", "a_b", "-abc"],
    ),
    (
        naming.ONLINE_DEPLOYMENT,
        ["blue", "green-2"],
        ["bl", "blue-", "blue_green"],
    ),
    (
        naming.TRUSTED_ACCESS_BINDING,
        ["azureml-mlw-prod", "a", "a" * 24],
        ["a" * 25, "azureml_mlw", ""],
    ),
]


def test_every_rule_has_cases_and_a_public_source():
    assert {case[0] for case in CASES} == set(naming.RULES)
    for rule in naming.RULES:
        name = next(k for k, v in vars(naming).items() if v is rule)
        source = naming.SOURCES[name]
        assert "https://" in source or "azure-rest-api-specs" in source or "as " in source
        assert "seeds/" not in source


@pytest.mark.parametrize("rule,accepted,refused", CASES, ids=[case[0].label for case in CASES])
def test_the_rule_takes_what_its_source_allows(rule, accepted, refused):
    for name in accepted:
        assert rule.problem(name) is None, name
    for name in refused:
        problem = rule.problem(name)
        assert problem and rule.label in problem and rule.text in problem, name


# Cluster names AKS accepts (1-63, '_' and '-' inside) that break the names made from them.
HOSTILE_CLUSTERS = ["a", "ml_prod", "a" * 63, "a_" * 31 + "b", "x-" * 31 + "9", "Ml-Prod_1"]
GENERATED = [
    (naming.LOG_ANALYTICS_WORKSPACE, "", "-logs"),
    (naming.VIRTUAL_NETWORK, "", "-vnet"),
    (naming.NETWORK_RESOURCE, "", "-egress"),
    (naming.NETWORK_RESOURCE, "", "-firewall-ip-250"),
    (naming.NETWORK_RESOURCE, "azureml-", "-inference"),
    (naming.TRUSTED_ACCESS_BINDING, "azureml-", ""),
]


@pytest.mark.parametrize("cluster", HOSTILE_CLUSTERS)
@pytest.mark.parametrize("rule,prefix,suffix", GENERATED)
def test_fit_makes_every_generated_name_valid(cluster, rule, prefix, suffix):
    assert aks.CLUSTER_NAME.fullmatch(cluster), cluster
    stem = prefix + (cluster.lower() if rule is naming.TRUSTED_ACCESS_BINDING else cluster)
    name = fit(rule, stem, suffix)
    assert rule.problem(name) is None, name
    assert name.endswith(suffix)
    assert fit(rule, stem, suffix) == name  # same input, same name
    if rule.valid(stem + suffix):
        assert name == stem + suffix  # a valid name is never touched


def test_shortened_names_stay_apart_and_readable():
    long = "a" * 63
    first = fit(naming.LOG_ANALYTICS_WORKSPACE, long, "-logs")
    second = fit(naming.LOG_ANALYTICS_WORKSPACE, long[:-1] + "b", "-logs")
    assert first != second and first.startswith("a" * 40)
    assert fit(naming.LOG_ANALYTICS_WORKSPACE, "ml_prod", "-logs").startswith("ml-prod-")
    # Two clusters whose names differ only in '_' and '-' do not share a workspace name.
    assert fit(naming.LOG_ANALYTICS_WORKSPACE, "ml_prod", "-logs") != "ml-prod-logs"
    group = fit(naming.NETWORK_RESOURCE, "azureml-" + long, "-inference")
    assert len(group) == 80 and group.startswith("azureml-aaa")


def test_a_suffix_the_rule_cannot_take_is_the_programs_bug():
    with pytest.raises(ValueError, match="cannot fit"):
        fit(naming.LOG_ANALYTICS_WORKSPACE, "ml", "_logs")


def test_trusted_access_bindings_fit_and_keep_workspaces_apart():
    assert aks.trusted_access_binding_name("mlw-prod") == "azureml-mlw-prod"
    one = aks.trusted_access_binding_name("team_a_workspace_number_one")
    two = aks.trusted_access_binding_name("team_a_workspace_number_two")
    assert one != two and naming.TRUSTED_ACCESS_BINDING.valid(one)
