"""Kubernetes resource quantities ("500m", ".5", "1.5Gi", "64G", "1e3", "+2"): the one parser.

The grammar is Kubernetes' own (apimachinery resource.Quantity):

    quantity  ::= signedNumber suffix
    suffix    ::= binarySI | decimalExponent | decimalSI
    binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei
    decimalSI ::= n | u | m | "" | k | M | G | T | P | E
    decimalExponent ::= "e" signedNumber | "E" signedNumber
    number    ::= digits | digits "." digits | digits "." | "." digits

Values are exact (Decimal): "0.1" and "100m" are the same quantity, as they are to Kubernetes.
Instance types (catalog.instance_types), the stack settings and router/'s node fit all read
quantities here, so a value one of them accepts the others accept too.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
SUFFIXES = tuple(_DECIMAL) + tuple(_BINARY)
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
# ASCII only: \d would admit other scripts' digits, which Kubernetes refuses.
_QUANTITY = re.compile(rf"({_NUMBER})(?:([eE])([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)")
# Kubernetes refuses quantities past 2^63 of their unit; far beyond any node.
MAX_EXPONENT = 30


def parse(value: object) -> Decimal | None:
    """The quantity in its base unit (cores, bytes, GPUs), exactly; None when `value` is not a
    Kubernetes quantity. Numbers are read as YAML gives them (2, 0.5); booleans are not numbers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = repr(value)  # 0.5, 1e-05: both in the grammar
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, exponent_mark, exponent, suffix = match.groups()
    try:
        base = Decimal(number if not number.endswith(".") else number + "0")
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimal numbers
        return None
    if exponent_mark:
        power = int(exponent)
        if abs(power) > MAX_EXPONENT:
            return None
        return base.scaleb(power)
    suffix = suffix or ""
    if suffix in _BINARY:
        return base * _BINARY[suffix]
    return base * _DECIMAL[suffix]


_DECIMAL_SUFFIX = {
    -9: "n",
    -6: "u",
    -3: "m",
    0: "",
    3: "k",
    6: "M",
    9: "G",
    12: "T",
    15: "P",
    18: "E",
}
_BINARY_SUFFIX = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def canonical(value: object) -> str | None:
    """The quantity as Kubernetes writes it back (apimachinery's canonical form): ".5" and
    "0.5" are "500m", "1.5Gi" is "1536Mi", "2000" is "2k", "1e3" stays "1e3". The format follows
    the suffix given (binary, decimal or exponent); values finer than a nano-unit round up.
    None when `value` is not a quantity."""
    amount = parse(value)
    if amount is None:
        return None
    if amount == 0:
        return "0"
    text = value.strip() if isinstance(value, str) else str(value)
    binary = any(text.endswith(suffix) for suffix in _BINARY)
    exponent = not binary and any(mark in text for mark in "eE") and not text.endswith("E")
    sign, magnitude = ("-", -amount) if amount < 0 else ("", amount)
    if binary and magnitude >= 1024 and magnitude == magnitude.to_integral_value():
        whole, power = int(magnitude), 0
        while whole % 1024 == 0 and power < len(_BINARY_SUFFIX) - 1:
            whole, power = whole // 1024, power + 1
        return f"{sign}{whole}{_BINARY_SUFFIX[power]}"
    nanos = int((magnitude * 10**9).to_integral_value(rounding=ROUND_CEILING))
    power = -9
    while nanos % 10 == 0:
        nanos, power = nanos // 10, power + 1
    thousands = min(18, power - power % 3)
    mantissa = nanos * 10 ** (power - thousands)
    if exponent:
        return f"{sign}{mantissa}" + (f"e{thousands}" if thousands else "")
    return f"{sign}{mantissa}{_DECIMAL_SUFFIX[thousands]}"


def cpu_millicores(value: object) -> Decimal | None:
    """'500m' -> 500, '.5' -> 500, '2' -> 2000, 1.5 -> 1500; None when not a quantity."""
    amount = parse(value)
    return None if amount is None else amount * 1000


def memory_bytes(value: object) -> Decimal | None:
    """'1Gi' -> 1073741824, '64G' -> 64e9, '1.5Gi'; None when not a quantity."""
    return parse(value)


def whole_count(value: object) -> int | None:
    """An extended resource such as nvidia.com/gpu: a whole, non-negative count; else None."""
    amount = parse(value)
    if amount is None or amount < 0 or amount != amount.to_integral_value():
        return None
    return int(amount)


SOURCES: dict[str, str] = {
    "SUFFIXES": "Kubernetes API reference, 'Quantity' (k8s.io/apimachinery/pkg/api/resource): "
    "binarySI Ki..Ei, decimalSI n u m '' k M G T P E, decimalExponent e/E "
    "(https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/)",
    "MAX_EXPONENT": "Kubernetes 'Quantity': values are held within int64 of their unit; 1e30 "
    "bounds the parser far above any node's resources",
    "parse": "Kubernetes API reference, 'Quantity' grammar (signedNumber suffix)",
    "canonical": "Kubernetes API reference, 'Quantity': serialized in canonical form (the "
    "suffix's format, the largest exponent that keeps an integer mantissa; binary values "
    "under 1024 and fractions written in decimal; precision to the nano-unit)",
    "cpu_millicores": "Kubernetes docs 'Resource Management for Pods and Containers': CPU in "
    "cores, 0.5 == 500m",
    "memory_bytes": "Kubernetes docs 'Resource Management for Pods and Containers': memory in "
    "bytes with decimal or binary suffixes",
    "whole_count": "Kubernetes docs 'Resource Management for Pods and Containers', extended "
    "resources: whole numbers only",
}
