"""How AKS upgrades a cluster under its workloads: channels, planned maintenance windows, node
pool upgrade settings, tiers; the limits ARM checks and the production advice of the AKS docs."""

from __future__ import annotations

TIERS = ("Free", "Standard", "Premium")
# Premium is sold with long-term support only.
PREMIUM_SUPPORT_PLAN = "AKSLongTermSupport"
CHANNEL_NONE = "none"
PROD_CHANNEL = "patch"
PROD_NODE_OS_CHANNEL = "NodeImage"
NODE_OS_CHANNELS_OFF = frozenset({"None", "Unmanaged"})
AUTO_UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule"
NODE_OS_SCHEDULE = "aksManagedNodeOSUpgradeSchedule"
WINDOW_MIN_HOURS = 4
WINDOW_MAX_HOURS = 24
WINDOW_MAX_INTERVAL_WEEKS = 4
PROD_SURGE = "33%"
GPU_SURGE = "1"
# Learn says 5 to 1440 minutes; the REST spec 1 to 1440: the narrower range.
DRAIN_TIMEOUT_MIN = 5
DRAIN_TIMEOUT_MAX = 1440
NODE_SOAK_MAX = 30

_AUTO = (
    "Learn 'Automatically upgrade an Azure Kubernetes Service (AKS) cluster', "
    "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster"
)
_NODE_OS = (
    "Learn 'Autoupgrade node OS images in Azure Kubernetes Service (AKS)', "
    "https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image"
)
_PLANNED = (
    "Learn 'Use planned maintenance to schedule and control upgrades for your Azure Kubernetes "
    "Service cluster', https://learn.microsoft.com/azure/aks/planned-maintenance"
)
_ROLLING = (
    "Learn 'Configure rolling upgrades for Azure Kubernetes Service (AKS) node pools', "
    "https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling"
)
_OPTIONS = (
    "Learn 'Upgrade options and recommendations for Azure Kubernetes Service (AKS) clusters', "
    "https://learn.microsoft.com/azure/aks/upgrade-options"
)
_TIERS = (
    "Learn 'Azure Kubernetes Service (AKS) Free, Standard, and Premium Pricing Tiers', "
    "https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers"
)
_SPEC = "Azure/azure-rest-api-specs containerservice 2025-09-01 (the pinned SDK's API version)"
SOURCES: dict[str, str] = {
    "TIERS": f"{_TIERS}; {_SPEC} ManagedClusterSKUTier (default Free: no uptime SLA)",
    "PREMIUM_SUPPORT_PLAN": f"{_TIERS}: 'Enable or disable LTS and the Premium tier together'",
    "CHANNEL_NONE": f"{_AUTO}: none is the default if left unchanged (the cluster falls out of "
    "support)",
    "PROD_CHANNEL": f"{_AUTO}: patch keeps the minor version and applies its latest patch; "
    "Learn 'Long-Term Support for AKS Versions': enable the patch channel with LTS",
    "PROD_NODE_OS_CHANNEL": f"{_NODE_OS}: NodeImage is the default for new clusters",
    "NODE_OS_CHANNELS_OFF": f"{_NODE_OS}: None (no updates) and Unmanaged (the OS's own, "
    "reboots yours to manage)",
    "AUTO_UPGRADE_SCHEDULE": f"{_PLANNED}: the configuration for cluster auto-upgrades",
    "NODE_OS_SCHEDULE": f"{_PLANNED}: the configuration for node OS upgrades",
    "WINDOW_MIN_HOURS": f"{_PLANNED}: 'use a maintenance window with a duration of four hours "
    f"or more'; {_SPEC} MaintenanceWindow.durationHours 4-24",
    "WINDOW_MAX_HOURS": f"{_SPEC} MaintenanceWindow.durationHours 4-24",
    "WINDOW_MAX_INTERVAL_WEEKS": f"{_SPEC} WeeklySchedule.intervalWeeks 1-4",
    "PROD_SURGE": f"{_ROLLING}: 'For production node pools, we recommend a max surge setting "
    f"of 33%'; {_OPTIONS}",
    "GPU_SURGE": f"{_ROLLING}: 'Node surges require subscription quota for the requested max "
    f"surge count'; {_OPTIONS}: lower maxSurge for specialised (GPU) capacity",
    "DRAIN_TIMEOUT_MIN": f"{_ROLLING}: 'a minimum of 5 minutes and a maximum of 24 hours'",
    "DRAIN_TIMEOUT_MAX": f"{_ROLLING}; {_SPEC} drainTimeoutInMinutes maximum 1440",
    "NODE_SOAK_MAX": f"{_ROLLING}: node soak 0 to 30 minutes",
}
