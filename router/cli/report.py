"""What both commands hand back (`Outcome`), the notes they add, and the chart they write."""

from __future__ import annotations

import math
from dataclasses import dataclass

from router.inputs import InputError
from router.results import SimulationResult
from router.sizing import SizingReport


@dataclass(frozen=True)
class Outcome:
    data: dict  # the JSON
    lines: list[str]  # the text
    code: int


def unit_note(request_time_ms: float) -> str | None:
    """A request time under a millisecond is almost surely seconds typed where ms are read."""
    if request_time_ms >= 1:
        return None
    return (
        f"--request-time-ms {request_time_ms:g} is under a millisecond: the unit is "
        f"milliseconds; {request_time_ms:g} s would be --request-time-ms {request_time_ms * 1000:g}"
    )


def concurrency_note(max_concurrent: int, request_time_ms: float) -> str | None:
    if max_concurrent == 1:
        return None
    return (
        f"--max-concurrent {max_concurrent}: each replica is modelled as {max_concurrent} slots "
        f"serving at full speed, so {request_time_ms:g} ms must be the request time measured with "
        f"{max_concurrent} requests in flight on one replica; if a replica slows down under "
        "concurrency, a single-request timing under-sizes the deployment"
    )


def timeout_note(sizing: SizingReport) -> str | None:
    # The tail of the request time alone: exponential unless the user said constant.
    miss = 1.0 - sizing.wait_percentile / 100.0
    alone_ms = sizing.request_time_ms * (1 if sizing.service_cv2 == 0 else math.log(1 / miss))
    timeout = sizing.request.request_timeout_ms
    if alone_ms < timeout:
        return None
    return (
        f"requestTimeoutMs {timeout} is below the request time's own p{sizing.wait_percentile:g} "
        f"({alone_ms:,.0f} ms): those requests will time out; raise --request-timeout-ms"
    )


def write_chart(path: str, result: SimulationResult | None) -> None:
    from router.chart import render_svg

    if result is None:
        raise InputError("chart", "nothing was simulated to chart")
    if not path.lower().endswith(".svg"):
        raise InputError(
            "chart",
            f"the chart is SVG; name the file *.svg (got {path!r}), and convert it if you need PNG",
        )
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render_svg(result))
    except OSError as error:
        raise InputError("chart", f"cannot write {path}: {error.strerror}") from None
