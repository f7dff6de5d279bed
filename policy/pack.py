"""The pack's contents: one module per policy, each exporting RULE (policy/rule.py).

Adding a policy is one line in MODULES. The order is the order of the docs and of evaluation;
the `waivers` report always runs last (it shows what the others waived).
"""

from __future__ import annotations

import importlib

from policy import waivers
from policy.rule import Rule

NAME = "azureml-k8s"
MODULES = (
    "no_hpa_on_model_deployments",
    "router_ha_needs_three_nodes",
    "aks_managed_identity_required",
    "no_pod_identity",
    "local_accounts_off_needs_trusted_access",
    "authorized_ranges_admit_azureml",
    "extension_settings_complete",
    "extension_valid_combination",
    "https_in_prod",
    "protected_settings_secret",
    "protected_settings_in_state",
    "legacy_aks_compute",
    "instance_type_valid",
    "no_registry_models_on_kubernetes",
    "gpu_pools_need_nvidia_plugin",
    "prod_capacity",
    "container_insights_on",
    "defender_on",
    "scale_settings_sane",
    "compute_namespace_unique",
    "kubernetes_online_limits",
    "production_tier",
    "auto_upgrade_channel_set",
    "upgrades_have_windows",
    "extension_version_pin",
    "one_nvidia_device_plugin",
    "egress_covers_documented_hosts",
)


def rules() -> list[Rule]:
    return [importlib.import_module(f"policy.{module}").RULE for module in MODULES]


def policies() -> list:
    """The pulumi policies, in order, the waivers report last."""
    return [rule.policy() for rule in rules()] + [waivers.POLICY]
