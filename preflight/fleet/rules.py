"""The rules only a whole fleet can break; each site alone passes them.

- A connected cluster is one site's: two sites with one connectedClusterId would install and
  reconfigure the same extension from two stacks.
- An sslCname is one site's: two routers would claim one certificate name, and the DNS record
  of one would point at the other's address.
- Azure ML's online endpoint quotas are per subscription and region, summed over every site:
  100 endpoints and 500 deployments unless raised (the inventory's `quotas:`).

Names are compared in any case (Azure resource IDs and DNS names are case-insensitive). The
later site is the one at fault; the first keeps its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from catalog import quotas, tokens
from preflight.errors import INVALID, located
from stacks.settings import inventory as inv

if TYPE_CHECKING:
    from preflight.fleet.check import SiteResult

POLICY = "fleet-quotas"
Place = tuple[str, str]  # (subscription, region): where Azure ML's online quotas are counted
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)/", re.I)
_CLUSTER, _EXTENSION = "azureml-k8s:cluster", "azureml-k8s:extension"
UNIQUE = (
    (_CLUSTER, "connectedClusterId", "a connected cluster is one site's"),
    (_EXTENSION, "sslCname", "each site's router needs its own certificate name and DNS record"),
)


def _value(config: dict[str, Any], key: str, field: str) -> str | None:
    section = config.get(key)
    value = section.get(field) if isinstance(section, dict) else None
    return value if isinstance(value, str) and value else None


def unique_site_settings(inventory: inv.Inventory, results: Iterable[SiteResult]) -> None:
    """A later site repeating an earlier one's connectedClusterId or sslCname is invalid (2)."""
    seen: dict[tuple[str, str], inv.Site] = {}
    for result in results:
        site = result.site
        for key, field, why in UNIQUE:
            value = _value(site.config, key, field)
            if value is None:
                continue
            first = seen.setdefault((field, value.lower()), site)
            if first is site:
                continue
            result.exit_code = max(result.exit_code, INVALID)
            message = f"is site {first.name}'s too ({first.where}): {why}"
            result.errors += located(inventory.label(site), [(f"config.{key}.{field}", message)])


def subscription(config: dict[str, Any]) -> str:
    """The subscription a site's endpoints count against: its workspace's (every workspace of a
    stack is in one subscription), else azure-native:subscriptionId, else the signed-in one."""
    workspaces = config.get("azureml-k8s:workspaces")
    candidates = [config.get("azureml-k8s:workspace")]
    if isinstance(workspaces, list):
        candidates += workspaces
    for workspace in candidates:
        found = (
            _SUBSCRIPTION.match(str(workspace.get("id", "")))
            if isinstance(workspace, dict)
            else None
        )
        if found:
            return found.group(1).lower()
    given = config.get("azure-native:subscriptionId")
    return str(given).lower() if given else "(the signed-in subscription)"


def online_usage(site_config: dict[str, Any], resources: Iterable[Any]) -> dict[Place, list[int]]:
    """(subscription, region) -> [endpoints, deployments] of one site's graph."""
    sub = subscription(site_config)
    usage: dict[Place, list[int]] = {}
    for r in resources:
        if r.type not in (tokens.ONLINE_ENDPOINT, tokens.ONLINE_DEPLOYMENT):
            continue
        region = str(r.inputs.get("location") or site_config.get("azure-native:location") or "?")
        counts = usage.setdefault((sub, region.lower()), [0, 0])
        counts[r.type == tokens.ONLINE_DEPLOYMENT] += 1
    return usage


def fleet_rules(inventory: inv.Inventory, results: list[SiteResult]) -> dict[str, Any]:
    """The inventory's own problems (2) and the quota violations (1) of the fleet as a whole."""
    errors = located(inventory.file, inventory.problems)
    totals: dict[Place, list[int]] = {}
    sites: dict[Place, list[str]] = {}
    for result in results:
        for key, (endpoints, deployments) in result.usage.items():
            total = totals.setdefault(key, [0, 0])
            total[0] += endpoints
            total[1] += deployments
            sites.setdefault(key, []).append(result.site.name)
    violations = []
    limits = (
        (
            "endpoints",
            inventory.quotas["endpointsPerSubscriptionRegion"],
            "endpointsPerSubscriptionRegion",
            quotas.SOURCES["ENDPOINTS_PER_SUBSCRIPTION_REGION"],
        ),
        (
            "deployments",
            inventory.quotas["deploymentsPerSubscriptionRegion"],
            "deploymentsPerSubscriptionRegion",
            quotas.SOURCES["DEPLOYMENTS_PER_SUBSCRIPTION_REGION"],
        ),
    )
    for key in sorted(totals):
        sub, region = key
        for index, (what, limit, setting, source) in enumerate(limits):
            if totals[key][index] > limit:
                violations.append(
                    {
                        "policy": POLICY,
                        "enforcementLevel": "mandatory",
                        "severity": "high",
                        "urn": "",
                        "message": (
                            f"{totals[key][index]} online {what} over {len(sites[key])} sites "
                            f"in subscription {sub}, region {region}: Azure ML allows {limit} "
                            f"({source}); raise the quota and set quotas.{setting} in "
                            f"{inventory.file}, or spread the sites over subscriptions"
                        ),
                    }
                )
    return {"errors": errors, "violations": violations}
