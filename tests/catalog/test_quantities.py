from decimal import Decimal

import pytest

from catalog import instance_types, quantities


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("500m", "0.5"),
        (".5", "0.5"),
        ("0.5", "0.5"),
        (0.5, "0.5"),
        ("5.", "5"),
        ("+2", "2"),
        ("-1", "-1"),
        ("1e3", "1000"),
        ("1E-3", "0.001"),
        ("2Ki", "2048"),
        ("1.5Gi", "1610612736"),
        ("64G", "64000000000"),
        ("100n", "0.0000001"),
        ("250u", "0.00025"),
        ("3E", "3000000000000000000"),
        ("1Ei", str(2**60)),
        (8, "8"),
    ],
)
def test_every_kubernetes_form_parses_exactly(text, base):
    assert quantities.parse(text) == Decimal(base)


@pytest.mark.parametrize(
    "text",
    ["", "1.5.5", "1 Gi", "500 m", "1e", "1Kb", "١", "２", "1_000", "1e31", None, True, [1], "inf"],
)
def test_what_kubernetes_refuses_is_not_a_quantity(text):
    assert quantities.parse(text) is None


@pytest.mark.parametrize(
    ("given", "written"),
    [
        (".5", "500m"),
        ("0.5", "500m"),
        (0.5, "500m"),
        ("500m", "500m"),
        ("0.1", "100m"),
        ("1.5Gi", "1536Mi"),
        ("1.5Ki", "1536"),
        ("64Gi", "64Gi"),
        ("64G", "64G"),
        ("2000", "2k"),
        ("1500", "1500"),
        ("1e3", "1e3"),
        ("5e-1", "500e-3"),
        ("1.0001", "1000100u"),
        ("0", "0"),
    ],
)
def test_canonical_is_what_kubernetes_writes_back(given, written):
    assert quantities.canonical(given) == written


def test_instance_types_and_node_fit_read_the_same_quantities():
    # One parser: a value the instance type rules accept, the node fit reads alike.
    for cpu in (".5", "500m", 0.5, "5e-1"):
        spec = {
            "resources": {
                "requests": {"cpu": cpu, "memory": "1Gi"},
                "limits": {"cpu": cpu, "memory": "1Gi"},
            }
        }
        assert instance_types.spec_problems(spec) == []
        assert quantities.cpu_millicores(cpu) == 500
