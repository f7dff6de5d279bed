"""What every settings model shares: the frozen, closed base model and the value checks."""

from __future__ import annotations

import ipaddress
import re

from pydantic import BaseModel, ConfigDict

from catalog import arm

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class Model(BaseModel):
    """Frozen (settings never change once validated), closed (an unknown key is an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def cidr(value: str, what: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A CIDR range that starts at its network address, as AKS and Azure networking require."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            fixed = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(
                f"{what}: '{value}' is not a CIDR range (e.g. 203.0.113.0/24)"
            ) from None
        raise ValueError(
            f"{what}: '{value}' does not start at its network address; write {fixed}"
        ) from None


def resource_id(value: str, kind: arm.Kind, what: str) -> str:
    """`value` when it is an ARM id of `kind`; otherwise an error showing the expected shape."""
    if arm.parse(value, kind) is None:
        raise ValueError(f"{what} must be a {kind.label} resource id: {kind.example}")
    return value


def parsed_id(value: str, kind: arm.Kind) -> arm.ResourceId:
    """The parts of an id a field validator has already checked with `resource_id`."""
    parsed = arm.parse(value, kind)
    assert parsed is not None, "validated by the field's validator"
    return parsed


def dns_label(value: str, what: str) -> str:
    if not DNS_LABEL.fullmatch(value):
        raise ValueError(f"'{value}' is not a {what} (lowercase letters, digits and '-')")
    return value


def hostname(value: str) -> str:
    if not HOSTNAME.fullmatch(value):
        raise ValueError(f"'{value}' is not a host name (e.g. scoring.ml.contoso.com)")
    return value
