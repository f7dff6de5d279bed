"""Inputs and their guards: the one error type for bad input anywhere in `router`, and the checks
every function runs on what it is given.

A number is a real int or float (never a bool: `true` for a replica count is a typo), finite,
within the bounds the caller names, and either 0 or at least RESOLUTION: a denormal such as
5e-324 s means nothing and only breaks arithmetic downstream. A count is a whole number. Each guard returns the value
as the function will use it, or raises `InputError` naming the field and what to give instead.
"""

from __future__ import annotations

import math

UNBOUNDED = "unbounded"  # how JSON says infinity (it has no such number)
# The smallest magnitude a measured number may have besides 0 (in its own unit: s, ms, rps).
RESOLUTION = 1e-6


class InputError(ValueError):
    """Invalid input. `field` names the setting or argument so a CLI can point at its option and
    the stack settings at their key."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def show(value: object) -> str:
    """A value as the user typed it: -3 rather than -3.0, strings quoted."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{value:.3g}"
    return repr(value)


def amount(value: float) -> str:
    """A bound as people read it: 1,000,000 rather than 1e+06 (and 1e+308 rather than 309
    digits)."""
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def finite_or_unbounded(value: float, digits: int = 6) -> float | str:
    """A figure for JSON: rounded, or UNBOUNDED for infinity."""
    return UNBOUNDED if math.isinf(value) else round(value, digits)


def real(value: object) -> float | None:
    """`value` as a float when it is a finite int or float (not a bool), 0 or at least
    RESOLUTION in magnitude; else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or 0 < abs(value) < RESOLUTION:
        return None
    return float(value)


def number(
    field: str,
    value: object,
    *,
    minimum: float = 0.0,
    strict: bool = True,
    maximum: float = math.inf,
    unit: str = "",
) -> float:
    """A finite number > minimum (>= when not strict) and <= maximum."""
    suffix = f" {unit}" if unit else ""
    if isinstance(value, float) and 0 < abs(value) < RESOLUTION:
        floor = (
            f"at least {RESOLUTION:g}{suffix}"
            if strict
            else f"0 or at least {RESOLUTION:g}{suffix}"
        )
        raise InputError(field, f"must be {floor} ({show(value)} is too small to mean anything)")
    given = real(value)
    if given is None or given < minimum or (strict and given == minimum):
        relation = ">" if strict else ">="
        raise InputError(
            field, f"must be a number{suffix} {relation} {show(minimum)} (got {show(value)})"
        )
    if given > maximum:
        raise InputError(field, f"must be at most {amount(maximum)}{suffix} (got {show(value)})")
    return given


def positive(field: str, value: object, maximum: float = math.inf, unit: str = "") -> float:
    return number(field, value, maximum=maximum, unit=unit)


def non_negative(field: str, value: object, maximum: float = math.inf, unit: str = "") -> float:
    return number(field, value, strict=False, maximum=maximum, unit=unit)


def count(field: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number >= minimum (and <= maximum)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(field, f"must be a whole number >= {minimum} (got {show(value)})")
    if maximum is not None and value > maximum:
        raise InputError(field, f"must be at most {maximum:,} (got {value:,})")
    return value


def fraction(field: str, value: object) -> float:
    """A fraction in (0, 1], such as a target utilization of 0.7."""
    given = real(value)
    if given is None or not 0 < given <= 1:
        raise InputError(
            field, f"must be a fraction in (0, 1], e.g. 0.7 for 70 % (got {show(value)})"
        )
    return given


def percentile(field: str, value: object) -> float:
    """A percentile strictly between 0 and 100, such as 99."""
    given = real(value)
    if given is None or not 0 < given < 100:
        raise InputError(
            field, f"must be a percentile between 0 and 100, e.g. 99 (got {show(value)})"
        )
    return given


def choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(field, f"must be one of {', '.join(choices)} (got {show(value)})")
    return str(value)


def ceil(x: float) -> int:
    """ceil, forgiving floating-point noise: 7 rps x 1 s / 0.7 is 10.000000000000002, and that
    is 10 replicas, not 11."""
    return math.ceil(round(x, 9))
