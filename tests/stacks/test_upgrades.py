"""Day two in the settings: the tier, the auto-upgrade channels, their maintenance windows and
the pools' upgrade settings, with production defaults and every limit named."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from stacks.settings import SettingsError, parse, upgrades
from tests.conftest import ROOT

PROD = yaml.safe_load((ROOT / "tests/fixtures/Pulumi.difftest.yaml").read_text())["config"]
CLUSTER = "azureml-k8s:cluster"


def flat(values: dict) -> dict[str, str]:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in values.items()}


def settings_of(values: dict):
    return parse(flat(values), set(), "Pulumi.t.yaml", ROOT)


def errors_of(values: dict) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as caught:
        settings_of(values)
    return caught.value.errors


def changed(change, environment: str = "prod") -> dict:
    values = copy.deepcopy(PROD)
    values["azureml-k8s:environment"] = environment
    change(values[CLUSTER])
    return values


def test_production_defaults():
    settings = settings_of(copy.deepcopy(PROD))
    cluster = settings.cluster
    assert upgrades.tier(cluster, True) == "Standard"
    assert upgrades.channels(cluster, True) == ("patch", "NodeImage")
    windows = upgrades.windows(cluster, True)
    assert sorted(windows) == ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]
    assert all(w.durationHours >= 4 for w in windows.values())
    system, gpu = cluster.nodePools
    assert upgrades.pool_upgrade(system, gpu=False, prod=True).maxSurge == "33%"
    protected = upgrades.pool_upgrade(gpu, gpu=True, prod=True)
    assert (protected.maxSurge, protected.undrainableNodeBehavior) == ("1", "Cordon")


def test_elsewhere_aks_defaults_are_left_alone():
    settings = settings_of(changed(lambda c: None, environment="dev"))
    cluster = settings.cluster
    assert upgrades.tier(cluster, False) == "Free"
    assert upgrades.channels(cluster, False) == (None, None)
    assert upgrades.windows(cluster, False) == {}
    assert upgrades.pool_upgrade(cluster.nodePools[0], gpu=False, prod=False).maxSurge is None


def test_the_stack_chooses():
    def choose(cluster):
        cluster["tier"] = "Premium"
        cluster["upgrades"] = {
            "channel": "patch",
            "nodeOsChannel": "SecurityPatch",
            "autoUpgradeWindow": {"day": "Tuesday", "startTime": "22:30", "utcOffset": "+01:00"},
        }
        cluster["nodePools"][1]["upgrade"] = {"maxSurge": "0", "maxUnavailable": "1"}

    cluster = settings_of(changed(choose)).cluster
    assert upgrades.tier(cluster, True) == "Premium"
    assert upgrades.channels(cluster, True) == ("patch", "SecurityPatch")
    window = upgrades.windows(cluster, True)["aksManagedAutoUpgradeSchedule"]
    assert (window.day, window.startTime, window.utcOffset) == ("Tuesday", "22:30", "+01:00")
    gpu = upgrades.pool_upgrade(cluster.nodePools[1], gpu=True, prod=True)
    assert (gpu.maxSurge, gpu.maxUnavailable) == ("0", "1")


@pytest.mark.parametrize(
    "change,path,fragment",
    [
        (
            lambda c: c.update(
                {"upgrades": {"autoUpgradeWindow": {"day": "Sunday", "startTime": "24:00"}}}
            ),
            "config.azureml-k8s:cluster.upgrades.autoUpgradeWindow.startTime",
            "HH:MM from 00:00 to 23:59",
        ),
        (
            lambda c: c.update(
                {
                    "upgrades": {
                        "nodeOsWindow": {"day": "Sunday", "startTime": "01:00", "durationHours": 3}
                    }
                }
            ),
            "config.azureml-k8s:cluster.upgrades.nodeOsWindow.durationHours",
            "greater than or equal to 4",
        ),
        (
            lambda c: c.update(
                {
                    "upgrades": {
                        "nodeOsWindow": {"day": "Sunday", "startTime": "01:00", "utcOffset": "1:00"}
                    }
                }
            ),
            "config.azureml-k8s:cluster.upgrades.nodeOsWindow.utcOffset",
            "+HH:MM or -HH:MM",
        ),
        (
            lambda c: c.update(
                {"upgrades": {"autoUpgradeWindow": {"day": "Sun", "startTime": "01:00"}}}
            ),
            "config.azureml-k8s:cluster.upgrades.autoUpgradeWindow.day",
            "Sunday",
        ),
        (
            lambda c: c["nodePools"][0].update({"upgrade": {"maxUnavailable": "1"}}),
            "config.azureml-k8s:cluster.nodePools[0].upgrade.maxUnavailable",
            "not take maxUnavailable on a System pool",
        ),
        (
            lambda c: c["nodePools"][1].update({"upgrade": {"maxSurge": "0"}}),
            "config.azureml-k8s:cluster.nodePools[1].upgrade",
            "upgrades nothing",
        ),
        (
            lambda c: c["nodePools"][1].update({"upgrade": {"maxSurge": "150%"}}),
            "config.azureml-k8s:cluster.nodePools[1].upgrade.maxSurge",
            "at most 100%",
        ),
        (
            lambda c: c["nodePools"][1].update({"upgrade": {"drainTimeoutMinutes": 2}}),
            "config.azureml-k8s:cluster.nodePools[1].upgrade.drainTimeoutMinutes",
            "greater than or equal to 5",
        ),
        (
            lambda c: c.update({"tier": "Premium", "upgrades": {"channel": "none"}}),
            "config.azureml-k8s:cluster.upgrades.channel",
            "set channel: patch",
        ),
        (
            lambda c: c.update({"tier": "Gold"}),
            "config.azureml-k8s:cluster.tier",
            "'Free', 'Standard' or 'Premium'",
        ),
    ],
)
def test_mistakes_are_named(change, path, fragment):
    found = errors_of(changed(change))
    assert any(p == path and fragment in m for p, m in found), found
