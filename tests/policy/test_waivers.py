"""Waivers: a waived violation leaves its (mandatory) policy and shows in the advisory report;
an expired waiver no longer applies and says so; an unused one is reported."""

from __future__ import annotations

import datetime

import pytest
from pulumi_policy import StackValidationArgs

from policy import waivers
from tests.policy.world import baseline, build, run_rule, urn

POLICY = "router-ha-needs-three-nodes"
FUTURE = (waivers.today() + datetime.timedelta(days=30)).isoformat()
PAST = (waivers.today() - datetime.timedelta(days=30)).isoformat()


@pytest.fixture(autouse=True)
def _empty_ledger():
    waivers.LEDGER.clear()
    yield
    waivers.LEDGER.clear()


def two_nodes():
    world = baseline()
    world["aks"].props["agentPoolProfiles"][0]["count"] = 2
    return world


def report() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    waivers.POLICY.validate(
        StackValidationArgs(build(baseline())), lambda m, u=None: found.append((m, u))
    )
    return found


def waiver(resource: str, expires: str = FUTURE, reason: str = "two nodes until Q3") -> dict:
    return {"waivers": [{"resource": resource, "reason": reason, "expires": expires}]}


EXTENSION_URN = urn("azure-native:kubernetesconfiguration:Extension", "ml")


@pytest.mark.parametrize("resource", ["ml", EXTENSION_URN])
def test_waived_violation_moves_to_the_report(resource):
    assert run_rule(POLICY, two_nodes(), waiver(resource)) == []
    shown = report()
    assert len(shown) == 1
    message, where = shown[0]
    assert where == EXTENSION_URN
    assert message.startswith(f"{POLICY}: waived until {FUTURE} (two nodes until Q3): ")
    assert "only 2 node(s)" in message
    assert report() == []  # the report drains what it showed


def test_expired_waiver_no_longer_applies_and_is_reported():
    found = run_rule(POLICY, two_nodes(), waiver("ml", PAST))
    assert len(found) == 1 and f"(its waiver expired on {PAST})" in found[0][0]
    assert [m for m, _ in report()] == [
        f"{POLICY}: the waiver for 'ml' expired on {PAST} (two nodes until Q3): renew it with "
        "a new date or remove it"
    ]


def test_waiver_applies_through_its_last_day():
    today = waivers.today().isoformat()
    assert run_rule(POLICY, two_nodes(), waiver("ml", today)) == []


def test_unused_waiver_is_reported():
    assert run_rule(POLICY, baseline(), waiver("aks")) == []
    assert [m for m, _ in report()] == [
        f"{POLICY}: the waiver for 'aks' (two nodes until Q3) matches no violation: remove it"
    ]


def test_waiver_for_another_resource_does_not_apply():
    assert len(run_rule(POLICY, two_nodes(), waiver("aks"))) == 1


@pytest.mark.parametrize(
    "config,where",
    [
        ({"waivers": [{"resource": "ml", "expires": FUTURE}]}, "waivers.0"),
        (waiver("ml", "next week"), "waivers.0.expires"),
        ({"waivers": "ml"}, "waivers"),
        (waiver("ml", "2026-02-30"), "waivers"),
    ],
)
def test_malformed_waiver_is_a_violation(config, where):
    found = run_rule(POLICY, two_nodes(), config)
    assert len(found) == 1 and found[0][0].startswith(f"invalid policy config at {where}:")
