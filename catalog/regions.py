"""Azure regions: names, pairs, and the Azure ML control-plane address ranges.

The Azure ML control plane runs in a region and its pair, so an AKS API server with authorized IP
ranges must admit the `AzureMachineLearning.<region>` service-tag ranges of both (Microsoft Learn,
"Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster", Limitations).

The ranges come from data/azureml-service-tags.json: the AzureMachineLearning.<region> prefixes of
every region that has the tag, copied from Microsoft's "Azure IP Ranges and Service Tags - Public
Cloud" file; its source, edition and date are inside the file. The prefixes change over time: the
stack setting `cluster.apiServer.azureMlControlPlaneRanges` overrides a region's list with newer
ones (docs/settings.md); refresh the file from the weekly download or
`az network list-service-tags`.

Only IPv4 prefixes go to AKS. The az CLI rejects IPv6 authorized ranges ("cannot be IPv6
addresses", Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_validators.py,
validate_ip_ranges) and Learn's "API server authorized IP ranges" page shows IPv4 CIDRs only, so
each region's IPv6 prefix is kept apart (control_plane_ranges_ipv6) for rules that take IPv6,
such as firewall or NSG rules.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import json
from importlib import resources

SERVICE_TAGS_FILE = "data/azureml-service-tags.json"
# The public cloud's regions, name -> display name; source and date inside the file.
REGIONS_FILE = "data/azure-regions.json"

# Region -> its pair, as "Azure region pairs" lists them (Microsoft Learn, "List of Azure regions",
# learn.microsoft.com/azure/reliability/regions-list, 2025-09-23; and "Azure region pairs and
# nonpaired regions"). Pairs are directional where Azure's are: West US 3 -> East US but
# East US -> West US; Brazil South -> South Central US but South Central US -> North Central US;
# West India -> South India but South India -> Central India; Brazil Southeast -> Brazil South.
# Regions without a pair (Italy North, Poland Central, ...) are absent.
PAIRED_REGION: dict[str, str] = {
    "australiacentral": "australiacentral2",
    "australiacentral2": "australiacentral",
    "australiaeast": "australiasoutheast",
    "australiasoutheast": "australiaeast",
    "brazilsouth": "southcentralus",
    "brazilsoutheast": "brazilsouth",
    "canadacentral": "canadaeast",
    "canadaeast": "canadacentral",
    "centralindia": "southindia",
    "centralus": "eastus2",
    "eastasia": "southeastasia",
    "eastus": "westus",
    "eastus2": "centralus",
    "francecentral": "francesouth",
    "francesouth": "francecentral",
    "germanynorth": "germanywestcentral",
    "germanywestcentral": "germanynorth",
    "japaneast": "japanwest",
    "japanwest": "japaneast",
    "koreacentral": "koreasouth",
    "koreasouth": "koreacentral",
    "northcentralus": "southcentralus",
    "northeurope": "westeurope",
    "norwayeast": "norwaywest",
    "norwaywest": "norwayeast",
    "southafricanorth": "southafricawest",
    "southafricawest": "southafricanorth",
    "southcentralus": "northcentralus",
    "southeastasia": "eastasia",
    "southindia": "centralindia",
    "swedencentral": "swedensouth",
    "swedensouth": "swedencentral",
    "switzerlandnorth": "switzerlandwest",
    "switzerlandwest": "switzerlandnorth",
    "uaecentral": "uaenorth",
    "uaenorth": "uaecentral",
    "uksouth": "ukwest",
    "ukwest": "uksouth",
    "westcentralus": "westus2",
    "westeurope": "northeurope",
    "westindia": "southindia",
    "westus": "eastus",
    "westus2": "westcentralus",
    "westus3": "eastus",
}

SOURCES: dict[str, str] = {
    "SERVICE_TAGS_FILE": (
        "catalog/data/azureml-service-tags.json: Microsoft 'Azure IP Ranges and Service Tags - "
        "Public Cloud', ServiceTags_Public_20251028.json (changeNumber 375)"
    ),
    "PAIRED_REGION": (
        "Microsoft Learn 'List of Azure regions' (reliability/regions-list, 2025-09-23) and "
        "'Azure region pairs and nonpaired regions'; Sweden South -> Sweden Central from the "
        "2025-01 pair table (restricted region, absent from the 2025-09 list)"
    ),
    "normalize": (
        "ARM programmatic region names are the display names without spaces, lower case "
        "(Learn 'List of Azure regions', Programmatic name column)"
    ),
    "paired": "PAIRED_REGION (Learn 'List of Azure regions')",
    "service_tag_regions": "catalog/data/azureml-service-tags.json (69 regions, 2025-10-28)",
    "control_plane_ranges": (
        "AzureMachineLearning.<region> IPv4 prefixes, catalog/data/azureml-service-tags.json; "
        "IPv4 only: az CLI validate_ip_ranges rejects IPv6 authorized ranges "
        "(Azure/azure-cli acs/_validators.py)"
    ),
    "REGIONS_FILE": "catalog/data/azure-regions.json: the physical regions of the Azure public "
    "cloud as `az account list-locations` lists them (ARM 'Subscriptions - List Locations', "
    "https://learn.microsoft.com/rest/api/resources/subscriptions/list-locations; source and "
    "date inside the file)",
    "names": "REGIONS_FILE",
    "known": "REGIONS_FILE: region names compare without spaces and case, as ARM locations do",
    "closest": "REGIONS_FILE (a did-you-mean for a misspelt region)",
    "control_plane_ranges_ipv6": (
        "AzureMachineLearning.<region> IPv6 prefixes, catalog/data/azureml-service-tags.json; "
        "not sent to AKS (IPv4 only)"
    ),
}


def normalize(region: str) -> str:
    """'West Europe', 'WestEurope' and 'westeurope' name the same region."""
    return region.replace(" ", "").lower()


@functools.cache
def names() -> dict[str, str]:
    """Every Azure public-cloud region the catalog knows: name -> display name (the restricted
    ones too: a subscription may not list them, but they exist)."""
    text = resources.files(__package__).joinpath(REGIONS_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return dict(sorted({**data["regions"], **data["restricted"]}.items()))


def known(region: str) -> bool:
    """Is `region` (a name or a display name, any case) an Azure region?"""
    return normalize(region) in names()


def closest(region: str) -> str | None:
    """The region name nearest to a misspelt one, for a did-you-mean; None when none is near."""
    found = difflib.get_close_matches(normalize(region), list(names()), n=1, cutoff=0.75)
    return found[0] if found else None


def paired(region: str) -> str | None:
    """The region's pair, or None for a region without one."""
    return PAIRED_REGION.get(normalize(region))


@functools.cache
def _service_tags() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Region -> (IPv4 prefixes, IPv6 prefixes), read once from the shipped data file."""
    text = resources.files(__package__).joinpath(SERVICE_TAGS_FILE).read_text(encoding="utf-8")
    by_region = {}
    for region, prefixes in json.loads(text)["regions"].items():
        networks = [ipaddress.ip_network(prefix) for prefix in prefixes]
        by_region[normalize(region)] = (
            tuple(str(n) for n in networks if n.version == 4),
            tuple(str(n) for n in networks if n.version == 6),
        )
    return by_region


def service_tag_regions() -> tuple[str, ...]:
    """Every region that has an AzureMachineLearning.<region> tag in the shipped data, sorted."""
    return tuple(sorted(_service_tags()))


def control_plane_ranges(region: str) -> tuple[str, ...]:
    """The AzureMachineLearning.<region> IPv4 prefixes to admit on an AKS API server; empty for
    a region the data does not know (the stack must then give them as an override)."""
    return _service_tags().get(normalize(region), ((), ()))[0]


def control_plane_ranges_ipv6(region: str) -> tuple[str, ...]:
    """The AzureMachineLearning.<region> IPv6 prefixes, for rules that accept IPv6 (AKS
    authorized ranges do not)."""
    return _service_tags().get(normalize(region), ((), ()))[1]
