"""What every settings model shares: the frozen, closed base model and the value checks."""

from __future__ import annotations

import ipaddress
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from catalog import arm, naming

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


# A number written as text: ASCII digits only (Python would read Arabic-Indic or full-width
# digits and underscores too).
_ASCII_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", re.ASCII)
# Names inside resource ids: printable ASCII, no spaces or path tricks.
_ID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._()-]{0,259}", re.ASCII)


# What stands in for a boolean or a non-ASCII numeral: no number type accepts it.
_NOT_A_NUMBER = object()


def _numeric(annotation: Any) -> bool:
    """int or float, optional or not (bool excluded: it is its own type)."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_numeric(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


class Model(BaseModel):
    """Frozen (settings never change once validated), closed (an unknown key is an error).
    Numbers are numbers: a boolean or a non-ASCII numeral where one is due is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: Any) -> Any:
        """A boolean, or text that is not an ASCII numeral, where a number is due: replaced by
        a value pydantic refuses at that key ("Input should be a valid integer"), since pydantic
        itself reads true as 1 and '1_000' as 1000."""
        if not isinstance(data, dict):
            return data
        fixed = dict(data)
        for name, field in cls.model_fields.items():
            if not _numeric(field.annotation):
                continue
            key = field.alias or name
            value = data.get(key)
            if isinstance(value, bool) or (
                isinstance(value, str) and not _ASCII_NUMBER.fullmatch(value)
            ):
                fixed[key] = _NOT_A_NUMBER
        return fixed


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
    """`value` when it is an ARM id of `kind` whose resource group and names are valid ASCII
    names; otherwise an error showing the expected shape."""
    parsed = arm.parse(value, kind)
    if parsed is None:
        raise ValueError(f"{what} must be a {kind.label} resource id: {kind.example}")
    group = parsed.resource_group
    if not group.isascii() or naming.RESOURCE_GROUP.problem(group):
        raise ValueError(
            f"{what}: the resource group in the id is not a resource group name "
            f"({naming.RESOURCE_GROUP.text}, ASCII)"
        )
    for name in parsed.names:
        if not _ID_NAME.fullmatch(name) or ".." in name:
            raise ValueError(
                f"{what}: '{name[:80]}' in the id is not a resource name (ASCII letters, digits, "
                "'.', '_', '-', '(' and ')', at most 260)"
            )
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
