"""Azure regions: pairs, and the Azure ML control-plane address ranges.

The Azure ML control plane runs in a region and its pair, so an AKS API server with authorized IP
ranges must admit the `AzureMachineLearning.<region>` service-tag ranges of both (seeds/001,
"Limitations"; platform-facts §1).

Region pairs. Source: Microsoft Learn, "Azure region pairs and nonpaired regions"
(learn.microsoft.com/azure/reliability/regions-paired). Regions without a pair are absent.
"""

from __future__ import annotations

_PAIRS = [
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"),
    ("westus3", "eastus"),
    ("canadacentral", "canadaeast"),
    ("brazilsouth", "southcentralus"),
    ("northeurope", "westeurope"),
    ("uksouth", "ukwest"),
    ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"),
    ("switzerlandnorth", "switzerlandwest"),
    ("norwayeast", "norwaywest"),
    ("swedencentral", "swedensouth"),
    ("eastasia", "southeastasia"),
    ("japaneast", "japanwest"),
    ("koreacentral", "koreasouth"),
    ("australiaeast", "australiasoutheast"),
    ("australiacentral", "australiacentral2"),
    ("centralindia", "southindia"),
    ("uaenorth", "uaecentral"),
    ("southafricanorth", "southafricawest"),
]

# westus3 pairs with eastus, but eastus's own pair is westus: the map is one-directional where
# Azure's is, so build it from the list in order and let the first pair of a region win.
PAIRED_REGION: dict[str, str] = {}
for _a, _b in _PAIRS:
    PAIRED_REGION.setdefault(_a, _b)
    PAIRED_REGION.setdefault(_b, _a)


def normalize(region: str) -> str:
    """'West Europe' and 'westeurope' name the same region."""
    return region.replace(" ", "").lower()


def paired(region: str) -> str | None:
    return PAIRED_REGION.get(normalize(region))


# IPv4 prefixes of the service tag AzureMachineLearning.<Region>, from Microsoft's weekly
# "Azure IP Ranges and Service Tags - Public Cloud" file (ServiceTags_Public, 2025-06 edition).
# They change over time: the stack setting `cluster.apiServer.azureMlControlPlaneRanges`
# overrides or extends this table per region (docs/settings.md). Regions not listed here must be
# given there when authorized IP ranges are on.
AZUREML_CONTROL_PLANE_RANGES: dict[str, tuple[str, ...]] = {
    "westeurope": (
        "13.69.64.192/28",
        "13.69.106.192/28",
        "13.80.192.216/30",
        "13.80.192.220/31",
        "13.80.192.224/27",
        "13.80.193.0/28",
        "20.86.88.160/28",
        "40.74.24.96/28",
        "48.199.254.1/32",
        "51.105.129.135/32",
        "51.144.184.47/32",
        "52.236.186.192/28",
    ),
    "northeurope": (
        "4.208.127.0/27",
        "4.208.127.32/28",
        "4.208.127.48/30",
        "4.208.127.52/31",
        "4.208.127.54/32",
        "13.69.227.192/28",
        "13.74.107.160/28",
        "20.38.80.96/28",
        "20.82.244.0/28",
        "52.138.226.160/28",
        "52.155.90.254/32",
        "52.156.193.50/32",
    ),
}


def control_plane_ranges(region: str) -> tuple[str, ...]:
    """The AzureMachineLearning.<region> prefixes to admit on an AKS API server."""
    return AZUREML_CONTROL_PLANE_RANGES.get(normalize(region), ())
