"""Arrival times for the simulator: seeded, in numpy chunks, so an hour at 5,000 rps
never exists as one Python list.

Shapes: constant (evenly spaced), poisson, and Poisson traffic whose rate follows a step, a
ramp, a sinusoid or a CSV of per-second rates; or a CSV of recorded arrival times.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator

import numpy as np

from router.errors import InputError, show

__all__ = ["Traffic", "constant", "from_csv", "poisson", "ramp", "sinusoid", "step"]

CHUNK = 1 << 18  # arrivals per generated array: big enough to amortise numpy calls, small in memory
PROFILE_STEP_S = 0.1  # time-varying rates are integrated on this grid (exact for steps on it)


def _number(field: str, value: float, strict: bool = True) -> float:
    """A finite number > 0, or >= 0 when not strict."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (strict and value == 0):
        raise InputError(field, f"must be a number {'>' if strict else '>='} 0 (got {show(value)})")
    return float(value)


class Traffic:
    """Arrival times in [0, duration_s), produced by `arrivals(rng)` as sorted float64 chunks."""

    def __init__(self, shape: str, duration_s: float, params: dict, generate) -> None:
        self.shape = shape
        self.duration_s = duration_s
        self.params = params  # for reports
        self._generate = generate

    def arrivals(self, rng: np.random.Generator) -> Iterator[np.ndarray]:
        return self._generate(rng)

    def describe(self) -> dict:
        return {"shape": self.shape, "durationS": self.duration_s, **self.params}


def constant(rps: float, duration_s: float) -> Traffic:
    """Evenly spaced arrivals, 1/rps apart: no burstiness at all."""
    rps, duration_s = _number("rps", rps), _number("duration_s", duration_s)

    def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
        total = math.ceil(duration_s * rps)
        for first in range(0, total, CHUNK):
            times = np.arange(first, min(first + CHUNK, total), dtype=np.float64) / rps
            yield times[times < duration_s]

    return Traffic("constant", duration_s, {"rps": rps}, generate)


def poisson(rps: float, duration_s: float) -> Traffic:
    """Poisson arrivals at a constant rate: independent, exponential gaps."""
    rps, duration_s = _number("rps", rps), _number("duration_s", duration_s)

    def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
        last = 0.0
        while True:
            times = last + np.cumsum(rng.exponential(1.0 / rps, CHUNK))
            last = float(times[-1])
            if last >= duration_s:
                yield times[: np.searchsorted(times, duration_s)]
                return
            yield times

    return Traffic("poisson", duration_s, {"rps": rps}, generate)


def _profile(shape: str, duration_s: float, params: dict, rate_at) -> Traffic:
    """Poisson arrivals with time-varying rate `rate_at(t)` (vectorised), by inversion: unit-rate
    Poisson points mapped through the inverse of the cumulative rate, which is piecewise linear
    on a PROFILE_STEP_S grid (midpoint rule)."""
    bins = max(1, math.ceil(duration_s / PROFILE_STEP_S))
    edges = np.minimum(np.arange(bins + 1) * PROFILE_STEP_S, duration_s)
    widths = np.diff(edges)
    cumulative = np.concatenate(([0.0], np.cumsum(rate_at(edges[:-1] + widths / 2) * widths)))
    expected = float(cumulative[-1])

    def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
        last = 0.0
        while True:
            points = last + np.cumsum(rng.exponential(1.0, CHUNK))
            last = float(points[-1])
            if last >= expected:
                yield np.interp(points[: np.searchsorted(points, expected)], cumulative, edges)
                return
            yield np.interp(points, cumulative, edges)

    return Traffic(shape, duration_s, params, generate)


def step(rps: float, step_rps: float, step_at_s: float, duration_s: float) -> Traffic:
    """Poisson at `rps`, switching to `step_rps` at `step_at_s`."""
    rps, step_rps = _number("rps", rps, strict=False), _number("step_rps", step_rps, strict=False)
    step_at_s, duration_s = (
        _number("step_at_s", step_at_s, strict=False),
        _number("duration_s", duration_s),
    )
    params = {"rps": rps, "stepRps": step_rps, "stepAtS": step_at_s}
    return _profile("step", duration_s, params, lambda t: np.where(t < step_at_s, rps, step_rps))


def ramp(
    rps: float, ramp_to_rps: float, ramp_start_s: float, ramp_end_s: float, duration_s: float
) -> Traffic:
    """Poisson at `rps` until ramp_start_s, linearly to `ramp_to_rps` at ramp_end_s, then flat."""
    rps, ramp_to_rps = (
        _number("rps", rps, strict=False),
        _number("ramp_to_rps", ramp_to_rps, strict=False),
    )
    start = _number("ramp_start_s", ramp_start_s, strict=False)
    end = _number("ramp_end_s", ramp_end_s, strict=False)
    if end <= start:
        raise InputError("ramp_end_s", f"must be after ramp_start_s ({start:g}) (got {end:g})")
    params = {"rps": rps, "rampToRps": ramp_to_rps, "rampStartS": start, "rampEndS": end}
    return _profile(
        "ramp",
        _number("duration_s", duration_s),
        params,
        lambda t: rps + (ramp_to_rps - rps) * np.clip((t - start) / (end - start), 0.0, 1.0),
    )


def sinusoid(rps: float, amplitude_rps: float, period_s: float, duration_s: float) -> Traffic:
    """Poisson with rate rps - amplitude * cos(2 pi t / period): lowest at t = 0, highest at
    period / 2, like a day that starts at midnight when period is 86,400 s."""
    rps, amplitude = _number("rps", rps), _number("amplitude_rps", amplitude_rps, strict=False)
    if amplitude > rps:
        raise InputError(
            "amplitude_rps",
            f"must be <= rps ({rps:g}) so the rate never goes negative (got {amplitude:g})",
        )
    period_s = _number("period_s", period_s)
    params = {"rps": rps, "amplitudeRps": amplitude, "periodS": period_s}
    return _profile(
        "sinusoid",
        _number("duration_s", duration_s),
        params,
        lambda t: rps - amplitude * np.cos(2 * np.pi * t / period_s),
    )


def _read_csv(path: str) -> list[tuple[int, list[float]]]:
    """(line number, numbers) per data row; a first row that is not numeric is a header."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [
                (n, row)
                for n, row in enumerate(csv.reader(handle), 1)
                if any(cell.strip() for cell in row)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError("csv", f"cannot read {path}: {error}") from None
    parsed = []
    for index, (line, row) in enumerate(rows):
        try:
            numbers = [float(cell) for cell in row]
        except ValueError:
            if index == 0:
                continue
            raise InputError(
                "csv", f"{path}:{line}: expected numbers, got {','.join(row)!r}"
            ) from None
        if not all(math.isfinite(x) and x >= 0 for x in numbers):
            raise InputError(
                "csv", f"{path}:{line}: values must be finite and >= 0, got {','.join(row)!r}"
            )
        parsed.append((line, numbers))
    if not parsed:
        raise InputError("csv", f"{path}: no data rows")
    return parsed


def from_csv(path: str, kind: str, duration_s: float | None = None) -> Traffic:
    """`kind` "times": one arrival time (s from the start) per row, non-decreasing.
    `kind` "rates": the request rate of second 0, 1, 2, ... per row, either one column (rate) or
    two (second, rate) with consecutive seconds; arrivals are Poisson within each second, and
    the rate is 0 after the last row. Without duration_s the run covers the whole file."""
    rows = _read_csv(path)
    if duration_s is not None:
        duration_s = _number("duration_s", duration_s)
    if kind == "times":
        times = np.array([numbers[0] for _, numbers in rows])
        backwards = np.flatnonzero(np.diff(times) < 0)
        if backwards.size:
            line = rows[int(backwards[0]) + 1][0]
            raise InputError(
                "csv", f"{path}:{line}: arrival times must not decrease; sort the file by time"
            )
        duration = duration_s if duration_s is not None else math.floor(times[-1]) + 1.0
        times = times[times < duration]

        def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
            for first in range(0, len(times), CHUNK):
                yield times[first : first + CHUNK]

        return Traffic("csv-times", duration, {"file": path}, generate)
    if kind == "rates":
        rates = []
        for second, (line, numbers) in enumerate(rows):
            if len(numbers) == 2 and numbers[0] != second:
                raise InputError(
                    "csv",
                    f"{path}:{line}: expected second {second}, got {numbers[0]:g}; seconds must be consecutive from 0",
                )
            if len(numbers) > 2:
                raise InputError("csv", f"{path}:{line}: expected 'rate' or 'second,rate'")
            rates.append(numbers[-1])
        per_second = np.array(rates)
        duration = duration_s if duration_s is not None else float(len(per_second))
        return _profile(
            "csv-rates",
            duration,
            {"file": path},
            lambda t: np.concatenate((per_second, [0.0]))[
                np.minimum(t.astype(np.int64), len(per_second))
            ],
        )
    raise InputError("csv_kind", f"must be 'times' or 'rates' (got {kind!r})")
