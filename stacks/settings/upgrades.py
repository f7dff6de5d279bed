"""How an AKS cluster changes under its workloads: tier, auto-upgrade channels, planned
maintenance windows and per-pool upgrade settings, with production defaults.

The limits and defaults are catalog.aks_upgrades'; the ARM spellings are the components'.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from catalog import aks_upgrades as facts
from stacks.settings.base import Model

if TYPE_CHECKING:
    from stacks.settings.cluster import AksClusterSettings, NodePool
    from stacks.settings.errors import Problem
    from stacks.settings.stack import Settings

WeekDay = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_START = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_OFFSET = re.compile(r"[+-](0[0-9]|1[0-4]):[0-5][0-9]")
# An integer node count ('1') or a percentage ('33%') of the pool.
_SURGE = re.compile(r"(0|[1-9][0-9]{0,2})%?")


class MaintenanceWindow(Model):
    """A weekly planned maintenance window (AKS runs upgrades inside it, best effort)."""

    day: WeekDay = Field(description="Day of the week.", examples=["Sunday"])
    startTime: str = Field(description="Start, HH:MM (00:00 to 23:59).", examples=["02:00"])
    durationHours: int = Field(
        facts.WINDOW_MIN_HOURS,
        ge=facts.WINDOW_MIN_HOURS,
        le=facts.WINDOW_MAX_HOURS,
        description=f"Length in hours, {facts.WINDOW_MIN_HOURS} to {facts.WINDOW_MAX_HOURS} "
        "(AKS asks for at least 4 with auto-upgrade).",
    )
    utcOffset: str = Field(
        "+00:00", description="UTC offset of startTime, +HH:MM or -HH:MM.", examples=["+01:00"]
    )
    intervalWeeks: int = Field(
        1, ge=1, le=facts.WINDOW_MAX_INTERVAL_WEEKS, description="Every how many weeks, 1 to 4."
    )

    @field_validator("startTime")
    @classmethod
    def _start(cls, value: str) -> str:
        if not _START.fullmatch(value):
            raise ValueError(f"'{value}' is not a start time: HH:MM from 00:00 to 23:59")
        return value

    @field_validator("utcOffset")
    @classmethod
    def _offset(cls, value: str) -> str:
        if not _OFFSET.fullmatch(value):
            raise ValueError(f"'{value}' is not a UTC offset: +HH:MM or -HH:MM, e.g. +01:00")
        return value


class Upgrades(Model):
    """Which upgrades AKS applies by itself, and when."""

    channel: Literal["none", "patch", "stable", "rapid", "node-image"] | None = Field(
        None,
        description="Kubernetes auto-upgrade channel. Unset: patch in prod (the cluster stays "
        "on a supported patch), AKS's default (none) elsewhere.",
    )
    nodeOsChannel: Literal["None", "Unmanaged", "NodeImage", "SecurityPatch"] | None = Field(
        None,
        description="Node OS auto-upgrade channel (cluster-wide; AKS has no per-pool one). "
        "Unset: NodeImage in prod, AKS's default elsewhere.",
    )
    autoUpgradeWindow: MaintenanceWindow | None = Field(
        None,
        description="When Kubernetes upgrades run (aksManagedAutoUpgradeSchedule). Unset: "
        "Sunday 00:00 UTC for 4 hours in prod, none elsewhere.",
    )
    nodeOsWindow: MaintenanceWindow | None = Field(
        None,
        description="When node OS upgrades run (aksManagedNodeOSUpgradeSchedule). Unset: "
        "Saturday 00:00 UTC for 4 hours in prod, none elsewhere.",
    )


class PoolUpgrade(Model):
    """How a node pool is upgraded: nodes added (surge) or taken (unavailable) at a time, and
    how long a node's pods get to leave."""

    maxSurge: str | None = Field(
        None,
        description="Extra nodes during an upgrade: a count ('1') or a percentage of the pool "
        "('33%'). Unset in prod: 33% (AKS's production advice), 1 on a GPU pool (each surge "
        "node needs GPU quota); AKS's default elsewhere.",
        examples=["33%"],
    )
    maxUnavailable: str | None = Field(
        None,
        description="Nodes upgraded in place at a time (no surge capacity needed); not on a "
        "System pool. Unset: 0.",
        examples=["1"],
    )
    drainTimeoutMinutes: int | None = Field(
        None,
        ge=facts.DRAIN_TIMEOUT_MIN,
        le=facts.DRAIN_TIMEOUT_MAX,
        description="How long a node's pods get to be evicted (pod disruption budgets "
        "honoured) before the upgrade stops. Unset: 30 (AKS).",
    )
    nodeSoakMinutes: int | None = Field(
        None,
        ge=0,
        le=facts.NODE_SOAK_MAX,
        description="Wait after draining a node before reimaging it, 0 to 30.",
    )
    undrainableNodeBehavior: Literal["Cordon", "Schedule"] | None = Field(
        None,
        description="A node whose pods cannot be evicted (a pod disruption budget of a running "
        "job): Cordon keeps it running, cordoned, beside a surge node, instead of failing the "
        "upgrade. Unset in prod on a GPU pool: Cordon; AKS's default (Schedule) elsewhere.",
    )

    @field_validator("maxSurge", "maxUnavailable")
    @classmethod
    def _count(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _SURGE.fullmatch(value) or (value.endswith("%") and int(value[:-1]) > 100):
            raise ValueError(
                f"'{value}' is not a node count or a percentage: e.g. '1' or '33%' (at most 100%)"
            )
        return value

    @model_validator(mode="after")
    def _some_progress(self) -> PoolUpgrade:
        if _zero(self.maxSurge) and _zero(self.maxUnavailable or "0"):
            raise ValueError(
                "maxSurge 0 with maxUnavailable 0 upgrades nothing: AKS needs one of them above 0"
            )
        return self


def _zero(value: str | None) -> bool:
    return value is not None and value.rstrip("%") == "0"


# Effective values -----------------------------------------------------------------------------


def tier(cluster: AksClusterSettings, prod: bool) -> str:
    if cluster.tier is not None:
        return cluster.tier
    return "Standard" if prod else "Free"


def channels(cluster: AksClusterSettings, prod: bool) -> tuple[str | None, str | None]:
    """(Kubernetes channel, node OS channel); None: not sent (AKS's default)."""
    upgrades = cluster.upgrades
    channel = upgrades.channel or (facts.PROD_CHANNEL if prod else None)
    node_os = upgrades.nodeOsChannel or (facts.PROD_NODE_OS_CHANNEL if prod else None)
    return channel, node_os


def windows(cluster: AksClusterSettings, prod: bool) -> dict[str, MaintenanceWindow]:
    """Maintenance configuration name -> its window."""
    upgrades = cluster.upgrades
    found: dict[str, MaintenanceWindow] = {}
    auto = upgrades.autoUpgradeWindow or (_PROD_AUTO_WINDOW if prod else None)
    node_os = upgrades.nodeOsWindow or (_PROD_NODE_OS_WINDOW if prod else None)
    if auto is not None:
        found[facts.AUTO_UPGRADE_SCHEDULE] = auto
    if node_os is not None:
        found[facts.NODE_OS_SCHEDULE] = node_os
    return found


_PROD_AUTO_WINDOW = MaintenanceWindow(day="Sunday", startTime="00:00")
_PROD_NODE_OS_WINDOW = MaintenanceWindow(day="Saturday", startTime="00:00")


def pool_upgrade(pool: NodePool, gpu: bool, prod: bool) -> PoolUpgrade:
    """A pool's upgrade settings with the production defaults filled in."""
    given = pool.upgrade
    if not prod:
        return given
    surge = given.maxSurge or (facts.GPU_SURGE if gpu else facts.PROD_SURGE)
    undrainable = given.undrainableNodeBehavior or ("Cordon" if gpu else None)
    return given.model_copy(update={"maxSurge": surge, "undrainableNodeBehavior": undrainable})


def upgrade_problems(settings: Settings) -> list[Problem]:
    """Cross-field rules: no in-place upgrades on System pools; Premium goes with LTS, which
    AKS pairs with the patch channel."""
    from stacks.settings.cluster import AksClusterSettings

    cluster = settings.cluster
    if not isinstance(cluster, AksClusterSettings):
        return []
    problems: list[Problem] = []
    for i, pool in enumerate(cluster.nodePools):
        unavailable = pool.upgrade.maxUnavailable
        if pool.mode == "System" and unavailable is not None and not _zero(unavailable):
            problems.append(
                (
                    ("cluster", "nodePools", i, "upgrade", "maxUnavailable"),
                    "AKS does not take maxUnavailable on a System pool: use maxSurge",
                )
            )
    channel, _ = channels(cluster, settings.prod)
    if tier(cluster, settings.prod) == "Premium" and channel in (None, "none"):
        problems.append(
            (
                ("cluster", "upgrades", "channel"),
                "Premium comes with long-term support, which covers only the two newest patches "
                "of a minor version: set channel: patch",
            )
        )
    return problems
