"""Regions: the shipped service-tag data, what goes to AKS, and the pair table."""

import ipaddress
import json
from pathlib import Path

import pytest

from catalog import aks, regions

DATA = json.loads(
    (Path(regions.__file__).parent / regions.SERVICE_TAGS_FILE).read_text(encoding="utf-8")
)
REGIONS = sorted(DATA["regions"])


def ipv4(prefixes):
    return tuple(p for p in prefixes if ipaddress.ip_network(p).version == 4)


def test_data_file_keeps_its_source_and_date():
    assert "ServiceTags_Public_20251028" in DATA["source"]
    assert DATA["retrieved"]
    assert len(REGIONS) == 69
    assert regions.service_tag_regions() == tuple(REGIONS)


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_in_the_data_gets_ipv4_ranges_aks_accepts(region):
    ranges = regions.control_plane_ranges(region)
    assert ranges
    for prefix in ranges:
        network = ipaddress.ip_network(
            prefix
        )  # strict: starts at its network address, as AKS wants
        assert network.version == 4 and network.is_global
    assert all(
        ipaddress.ip_network(p).version == 6 for p in regions.control_plane_ranges_ipv6(region)
    )


def test_all_regions_but_one_staging_region_have_an_ipv6_prefix():
    without = [r for r in REGIONS if not regions.control_plane_ranges_ipv6(r)]
    assert without == ["southcentralusstg"]


@pytest.mark.parametrize("region", ["westeurope", "northeurope"])
def test_prod_regions_match_the_data_file_exactly(region):
    raw = DATA["regions"][region]
    assert regions.control_plane_ranges(region) == ipv4(raw)
    assert regions.control_plane_ranges(region) + regions.control_plane_ranges_ipv6(region) == (
        tuple(raw)
    )


def test_west_europe_2025_10_prefixes():
    assert regions.control_plane_ranges("West Europe") == (
        "13.69.64.192/28",
        "13.69.106.192/28",
        "20.86.88.160/28",
        "40.74.24.96/28",
        "51.105.129.135/32",
        "51.144.184.47/32",
        "52.236.186.192/28",
    )
    assert regions.control_plane_ranges_ipv6("westeurope") == ("2603:1020:206:1::2c0/122",)


def test_every_regional_prefix_is_in_the_global_tag():
    global_tag = set(DATA["global"])
    assert all(set(prefixes) <= global_tag for prefixes in DATA["regions"].values())


def test_unknown_region_has_no_ranges():
    assert regions.control_plane_ranges("mars") == ()
    assert regions.control_plane_ranges_ipv6("mars") == ()


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("West Europe", "westeurope"),
        ("WestEurope", "westeurope"),
        ("Australia Central 2", "australiacentral2"),
        ("West US 3", "westus3"),
    ],
)
def test_display_and_service_tag_names_normalize_to_arm_names(spelling, name):
    assert regions.normalize(spelling) == name


def test_data_region_names_are_arm_names():
    assert all(regions.normalize(region) == region for region in REGIONS)


def test_every_paired_region_and_its_pair_are_in_the_data():
    for region, pair in regions.PAIRED_REGION.items():
        assert region in DATA["regions"] and pair in DATA["regions"], (region, pair)
        assert regions.control_plane_ranges(pair)


@pytest.mark.parametrize(
    ("region", "pair"),
    [
        ("westeurope", "northeurope"),
        ("northeurope", "westeurope"),
        ("westus3", "eastus"),  # one direction only
        ("eastus", "westus"),
        ("brazilsouth", "southcentralus"),
        ("southcentralus", "northcentralus"),
        ("westindia", "southindia"),
        ("southindia", "centralindia"),
        ("brazilsoutheast", "brazilsouth"),
        ("Sweden Central", "swedensouth"),
    ],
)
def test_pairs_follow_learn_including_one_way_pairs(region, pair):
    assert regions.paired(region) == pair


@pytest.mark.parametrize("region", ["italynorth", "polandcentral", "israelcentral", "mars"])
def test_unpaired_regions_have_no_pair(region):
    assert regions.paired(region) is None


def test_a_paired_prod_stack_fits_the_aks_limit_with_room():
    sent = regions.control_plane_ranges("westeurope") + regions.control_plane_ranges("northeurope")
    assert len(sent) == 14
    busiest = max(
        len(regions.control_plane_ranges(r))
        + len(regions.control_plane_ranges(regions.paired(r) or ""))
        for r in REGIONS
    )
    assert busiest < aks.MAX_AUTHORIZED_IP_RANGES
