"""Arrival times for the simulator: seeded, in numpy chunks, so an hour at 5,000 rps
never exists as one Python list.

Shapes: constant (evenly spaced), poisson, and Poisson traffic whose rate follows a step, a
ramp, a sinusoid or a CSV of per-second rates; or a CSV of recorded arrival times.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

import numpy as np

from common import files
from router.inputs import RESOLUTION, InputError, amount, number

__all__ = ["Traffic", "constant", "from_csv", "poisson", "ramp", "sinusoid", "step"]

CHUNK = 1 << 18  # arrivals per generated array: big enough to amortise numpy calls, small in memory
# Time-varying rates are integrated on a grid of PROFILE_STEP_S (exact for steps on it), coarser
# only when a run is so long that the grid would pass PROFILE_MAX_BINS points (64 MB of floats).
PROFILE_STEP_S = 0.1
PROFILE_MAX_BINS = 1 << 21
# Bounds, so a typo cannot hang the machine or exhaust memory; each error says which to lower.
# 1,000,000 rps is 100 x the rate above which the docs say to raise azureml-fe's resources.
MAX_RPS = 1_000_000.0
MAX_DURATION_S = 7 * 86400.0  # a week; longer runs repeat the same statistics
MAX_REQUESTS = 200_000_000  # about 30 s of simulation on a 2-core machine
MAX_CSV_BYTES = 64 << 20  # csv rows are parsed in Python: about 1 GB of memory at this size
# No CSV value (a time in s, a second, a rate in rps) is meaningful past the larger bound.
MAX_CSV_VALUE = max(MAX_DURATION_S, MAX_RPS)


def _rate(field: str, value: float, strict: bool = True) -> float:
    return number(field, value, strict=strict, maximum=MAX_RPS)


def _duration(value: float) -> float:
    return number("duration_s", value, maximum=MAX_DURATION_S, unit="s")


def _duration_field(field: str, value: float) -> float:
    return number(field, value, maximum=MAX_DURATION_S, unit="s")


def _seconds(field: str, value: float) -> float:
    return number(field, value, strict=False, maximum=MAX_DURATION_S, unit="s")


class Traffic:
    """Arrival times in [0, duration_s), produced by `arrivals(rng)` as sorted float64 chunks.

    `expected_requests` (the integral of the rate) is bounded by MAX_REQUESTS."""

    def __init__(
        self, shape: str, duration_s: float, params: dict, generate, expected_requests: float
    ) -> None:
        if expected_requests > MAX_REQUESTS:
            raise InputError(
                "duration_s",
                f"{shape} traffic would send about {expected_requests:,.0f} requests, more than "
                f"the {MAX_REQUESTS:,} one run simulates; shorten the duration or lower the rate",
            )
        self.shape = shape
        self.duration_s = duration_s
        self.params = params  # for reports
        self.expected_requests = expected_requests
        self._generate = generate

    def arrivals(self, rng: np.random.Generator) -> Iterator[np.ndarray]:
        return self._generate(rng)

    def describe(self) -> dict:
        return {"shape": self.shape, "durationS": self.duration_s, **self.params}


def constant(rps: float, duration_s: float) -> Traffic:
    """Evenly spaced arrivals, 1/rps apart: no burstiness at all."""
    rps, duration_s = _rate("rps", rps), _duration(duration_s)

    def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
        total = math.ceil(duration_s * rps)
        for first in range(0, total, CHUNK):
            times = np.arange(first, min(first + CHUNK, total), dtype=np.float64) / rps
            yield times[times < duration_s]

    return Traffic("constant", duration_s, {"rps": rps}, generate, rps * duration_s)


def poisson(rps: float, duration_s: float) -> Traffic:
    """Poisson arrivals at a constant rate: independent, exponential gaps."""
    rps, duration_s = _rate("rps", rps), _duration(duration_s)

    def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
        last = 0.0
        while True:
            times = last + np.cumsum(rng.exponential(1.0 / rps, CHUNK))
            last = float(times[-1])
            if last >= duration_s:
                yield times[: np.searchsorted(times, duration_s)]
                return
            yield times

    return Traffic("poisson", duration_s, {"rps": rps}, generate, rps * duration_s)


def _profile(shape: str, duration_s: float, params: dict, rate_at) -> Traffic:
    """Poisson arrivals with time-varying rate `rate_at(t)` (vectorised), by inversion: unit-rate
    Poisson points mapped through the inverse of the cumulative rate, which is piecewise linear
    on a grid of PROFILE_STEP_S or duration / PROFILE_MAX_BINS, whichever is coarser (midpoint
    rule)."""
    step_s = max(PROFILE_STEP_S, duration_s / PROFILE_MAX_BINS)
    bins = max(1, math.ceil(duration_s / step_s))
    edges = np.minimum(np.arange(bins + 1) * step_s, duration_s)
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

    return Traffic(shape, duration_s, params, generate, expected)


def step(rps: float, step_rps: float, step_at_s: float, duration_s: float) -> Traffic:
    """Poisson at `rps`, switching to `step_rps` at `step_at_s`."""
    rps, step_rps = _rate("rps", rps, strict=False), _rate("step_rps", step_rps, strict=False)
    step_at_s, duration_s = _seconds("step_at_s", step_at_s), _duration(duration_s)
    params = {"rps": rps, "stepRps": step_rps, "stepAtS": step_at_s}
    return _profile("step", duration_s, params, lambda t: np.where(t < step_at_s, rps, step_rps))


def ramp(
    rps: float, ramp_to_rps: float, ramp_start_s: float, ramp_end_s: float, duration_s: float
) -> Traffic:
    """Poisson at `rps` until ramp_start_s, linearly to `ramp_to_rps` at ramp_end_s, then flat."""
    rps, ramp_to_rps = _rate("rps", rps, strict=False), _rate("ramp_to_rps", ramp_to_rps, False)
    start = _seconds("ramp_start_s", ramp_start_s)
    end = _seconds("ramp_end_s", ramp_end_s)
    if end <= start:
        raise InputError("ramp_end_s", f"must be after ramp_start_s ({start:g}) (got {end:g})")
    params = {"rps": rps, "rampToRps": ramp_to_rps, "rampStartS": start, "rampEndS": end}
    return _profile(
        "ramp",
        _duration(duration_s),
        params,
        lambda t: rps + (ramp_to_rps - rps) * np.clip((t - start) / (end - start), 0.0, 1.0),
    )


def sinusoid(rps: float, amplitude_rps: float, period_s: float, duration_s: float) -> Traffic:
    """Poisson with rate rps - amplitude * cos(2 pi t / period): lowest at t = 0, highest at
    period / 2, like a day that starts at midnight when period is 86,400 s."""
    rps, amplitude = _rate("rps", rps), _rate("amplitude_rps", amplitude_rps, strict=False)
    if amplitude > rps:
        raise InputError(
            "amplitude_rps",
            f"must be <= rps ({rps:g}) so the rate never goes negative (got {amplitude:g})",
        )
    period_s = _duration_field("period_s", period_s)
    params = {"rps": rps, "amplitudeRps": amplitude, "periodS": period_s}
    return _profile(
        "sinusoid",
        _duration(duration_s),
        params,
        lambda t: rps - amplitude * np.cos(2 * np.pi * t / period_s),
    )


def _csv_value_problem(values: list[float]) -> str | None:
    if not all(math.isfinite(x) and x >= 0 for x in values):
        return "values must be finite and >= 0"
    if any(0 < x < RESOLUTION for x in values):
        return f"values must be 0 or at least {RESOLUTION:g} (a denormal means nothing)"
    if any(x > MAX_CSV_VALUE for x in values):
        return f"values must be at most {amount(MAX_CSV_VALUE)}"
    return None


def _read_csv(path: str) -> list[tuple[int, list[float]]]:
    """(line number, numbers) per data row; a first row that is not numeric is a header.
    Numbers are ASCII decimals (common.files), finite and >= 0."""
    try:
        text = files.read_text(path, path, MAX_CSV_BYTES)
    except files.InputFileError as err:
        hint = (
            ": give per-second rates (--csv-kind rates) instead of every arrival, or a shorter span"
            if err.message.startswith("larger than")
            else ""
        )
        raise InputError("csv", f"{path}: {err.message}{hint}") from None
    parsed, rows = [], 0
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            numbers = [files.ascii_number(cell) for cell in row]
            if any(n is None for n in numbers):
                if rows == 1:
                    continue  # a header
                raise InputError("csv", f"{path}:{line}: expected numbers, got {','.join(row)!r}")
            values = [n for n in numbers if n is not None]
            problem = _csv_value_problem(values)
            if problem:
                raise InputError("csv", f"{path}:{line}: {problem}, got {','.join(row)!r}")
            parsed.append((line, values))
    except csv.Error as error:
        raise InputError("csv", f"cannot read {path}: {error}") from None
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
        duration_s = _duration(duration_s)
    if kind == "times":
        for line, numbers in rows:
            if len(numbers) != 1:
                raise InputError("csv", f"{path}:{line}: expected one arrival time per row")
        times = np.array([numbers[0] for _, numbers in rows])
        backwards = np.flatnonzero(np.diff(times) < 0)
        if backwards.size:
            line = rows[int(backwards[0]) + 1][0]
            raise InputError(
                "csv", f"{path}:{line}: arrival times must not decrease; sort the file by time"
            )
        duration = duration_s if duration_s is not None else math.floor(times[-1]) + 1.0
        if duration > MAX_DURATION_S:
            raise InputError(
                "csv",
                f"{path}: arrival times span {amount(duration)} s, more than "
                f"{amount(MAX_DURATION_S)} s",
            )
        times = times[times < duration]

        def generate(rng: np.random.Generator) -> Iterator[np.ndarray]:
            for first in range(0, len(times), CHUNK):
                yield times[first : first + CHUNK]

        return Traffic("csv-times", duration, {"file": path}, generate, len(times))
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
            if numbers[-1] > MAX_RPS:
                raise InputError(
                    "csv",
                    f"{path}:{line}: a rate of at most {amount(MAX_RPS)} rps (got {numbers[-1]:g})",
                )
            rates.append(numbers[-1])
        per_second = np.array(rates)
        duration = duration_s if duration_s is not None else float(len(per_second))
        if duration > MAX_DURATION_S:
            raise InputError(
                "csv",
                f"{path}: {len(per_second):,} seconds of rates, more than {MAX_DURATION_S:,.0f}",
            )
        return _profile(
            "csv-rates",
            duration,
            {"file": path},
            lambda t: np.concatenate((per_second, [0.0]))[
                np.minimum(t.astype(np.int64), len(per_second))
            ],
        )
    raise InputError("csv_kind", f"must be 'times' or 'rates' (got {kind!r})")
