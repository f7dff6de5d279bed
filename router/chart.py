"""A hand-written SVG of a simulation: offered load, replicas and latency over one time axis."""

from __future__ import annotations

import math
from html import escape

from router.results import SimulationResult

__all__ = ["render_svg"]

WIDTH, LEFT, RIGHT = 980, 80, 175  # the right margin holds the legends
PANEL_H, GAP, TOP = 170, 72, 124
COLORS = {
    "load": "#1f77b4",
    "peak": "#9ecae1",
    "formula": "#7b2cbf",
    "ready": "#2c7d3f",
    "desired": "#e07b00",
    "bounds": "#888888",
    "p50": "#2c7d3f",
    "p99": "#c0392b",
    "slo": "#7b2cbf",
    "wait": "#b8860b",
    "timeout": "#555555",
}


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _time_axis(duration_s: float) -> tuple[float, str, float]:
    """(tick step in s, unit label, seconds per unit)."""
    for unit, size in (("h", 3600.0), ("min", 60.0), ("s", 1.0)):  # noqa: B007 (read after)
        if duration_s >= 3 * size:
            break
    steps = (
        [size * m for m in (0.25, 0.5, 1, 2, 3, 4, 6, 12, 24, 48)]
        if unit == "h"
        else [size * m for m in (1, 2, 5, 10, 15, 30, 60, 120)]
    )
    step = next((s for s in steps if duration_s / s <= 12), steps[-1])
    return step, unit, size


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:g}"


class _Panel:
    def __init__(
        self, index: int, duration_s: float, y_max: float, log_min: float | None = None
    ) -> None:
        self.top = TOP + index * (PANEL_H + GAP)
        self.plot_w = WIDTH - LEFT - RIGHT
        self.duration_s = duration_s
        self.log_min = log_min
        if log_min is None:
            self.step = _nice_step(y_max or 1.0)
            self.y_max = self.step * math.ceil((y_max or 1.0) / self.step)
        else:
            self.y_max = 10 ** math.ceil(math.log10(max(y_max, log_min * 10)))

    def x(self, t: float) -> float:
        return LEFT + self.plot_w * t / self.duration_s

    def y(self, v: float) -> float:
        if self.log_min is None:
            frac = v / self.y_max
        else:
            lo, hi = math.log10(self.log_min), math.log10(self.y_max)
            frac = (math.log10(min(max(v, self.log_min), self.y_max)) - lo) / (hi - lo)
        return self.top + PANEL_H * (1 - frac)

    def frame(
        self, title: str, y_label: str, unit_label: str, tick_step: float, unit_size: float
    ) -> list[str]:
        out = [f'<text x="{LEFT}" y="{self.top - 12}" class="title">{escape(title)}</text>']
        if self.log_min is None:
            values = [i * self.step for i in range(round(self.y_max / self.step) + 1)]
        else:
            values = [
                10**e
                for e in range(round(math.log10(self.log_min)), round(math.log10(self.y_max)) + 1)
            ]
        for v in values:
            y = self.y(v)
            label = _ms_label(v) if self.log_min is not None else _fmt(v)
            out.append(
                f'<line x1="{LEFT}" x2="{LEFT + self.plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            )
            out.append(
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{label}</text>'
            )
        t = 0.0
        while t <= self.duration_s + 1e-9:
            x = self.x(t)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.top}" y2="{self.top + PANEL_H}" class="grid"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{self.top + PANEL_H + 16}" class="tick" text-anchor="middle">{_fmt(t / unit_size)}</text>'
            )
            t += tick_step
        out.append(
            f'<rect x="{LEFT}" y="{self.top}" width="{self.plot_w}" height="{PANEL_H}" class="frame"/>'
        )
        mid = self.top + PANEL_H / 2
        out.append(
            f'<text x="18" y="{mid:.1f}" class="axis" transform="rotate(-90 18 {mid:.1f})" text-anchor="middle">{escape(y_label)}</text>'
        )
        out.append(
            f'<text x="{LEFT + self.plot_w / 2}" y="{self.top + PANEL_H + 34}" class="axis" text-anchor="middle">time since start ({unit_label})</text>'
        )
        return out

    def steps(
        self,
        starts: list[float],
        ends: list[float],
        values: list,
        color: str,
        dash: str = "",
        width: float = 2,
    ) -> str:
        """Each value held over its bucket; None leaves a gap."""
        runs: list[list[tuple[float, float]]] = []
        run: list[tuple[float, float]] = []
        for t0, t1, v in zip(starts, ends, values):
            if v is None:
                runs, run = runs + [run] if run else runs, []
                continue
            run += [(self.x(t0), self.y(v)), (self.x(t1), self.y(v))]
        runs += [run] if run else []
        style = f' stroke-dasharray="{dash}"' if dash else ""
        return "".join(
            f'<polyline fill="none" stroke="{color}" stroke-width="{width}"{style} points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '"/>'
            for points in runs
        )

    def hline(self, value: float, color: str, dash: str) -> str:
        y = self.y(value)
        return f'<line x1="{LEFT}" x2="{LEFT + self.plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{color}" stroke-width="1.5" stroke-dasharray="{dash}"/>'

    def legend(self, entries: list[tuple[str, str, str]]) -> list[str]:
        out, x = [], LEFT + self.plot_w + 14
        for i, (label, color, dash) in enumerate(entries):
            y = self.top + 14 + i * 20
            style = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{x}" x2="{x + 22}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2.5"{style}/>'
            )
            out.append(f'<text x="{x + 28}" y="{y + 4}" class="legend">{escape(label)}</text>')
        return out


def _ms_label(seconds: float) -> str:
    return f"{seconds:g} s" if seconds >= 1 else f"{seconds * 1000:g} ms"


def render_svg(result: SimulationResult) -> str:
    """The chart as SVG text; deterministic for a given result."""
    series = result.series
    ends = list(series.time_s)
    steps = ([max(0.0, t - series.interval_s) for t in ends], ends)
    tick_step, unit_label, unit_size = _time_axis(result.duration_s)
    axis = (unit_label, tick_step, unit_size)
    height = TOP + 3 * PANEL_H + 2 * GAP + 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">',
        "<style>.title{font-size:15px;font-weight:bold}.tick{font-size:11px;fill:#333}"
        ".axis{font-size:12px;fill:#333}.legend{font-size:12px}.grid{stroke:#e4e4e4}"
        ".frame{fill:none;stroke:#999}.head{font-size:18px;font-weight:bold}"
        ".sub{font-size:12px;fill:#444}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        *_heading(result),
        *_load_panel(result, steps, axis),
        *_replica_panel(result, steps, axis),
        *_latency_panel(result, steps, axis),
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def _heading(result: SimulationResult) -> list[str]:
    scale = result.scale
    fraction = result.timeouts / result.requests if result.requests else 0.0
    summary = (
        f"{result.requests:,} requests · {fraction:.2%} timed out · p99 latency "
        f"{_ms_label(round(result.latency.p99, 3))} · "
        f"{result.replica_seconds / 3600:,.1f} replica-hours "
        f"({result.replica_premium:+.0%} vs formula) · {result.scale_events} scale events, "
        f"{result.direction_changes} flips"
    )
    k = result.request.max_concurrent_requests_per_instance
    settings = (
        f"Settings: minInstances {scale.min_instances} · maxInstances {scale.max_instances} · "
        f"targetUtilizationPercentage {scale.target_utilization_percentage} · pollingIntervalS "
        f"{scale.polling_interval_s} · {k} concurrent per replica · timeout "
        f"{_ms_label(result.request.request_timeout_ms / 1000)}"
    )
    controller = (
        f"Model: {result.sampling} sampling · scale-up after {result.scale_up_delay_s:g} s · "
        f"scale-down after {result.scale_down_delay_s:g} s · pods serve "
        f"{result.start_delay_s:g} s after the decision · request time "
        f"{_ms_label(result.service['meanMs'] / 1000)} {result.service['distribution']} · "
        f"seed {result.seed}"
    )
    return [
        f'<text x="{LEFT}" y="26" class="head">Simulated azureml-fe autoscaling: '
        f"{escape(result.traffic['shape'])} traffic</text>",
        f'<text x="{LEFT}" y="46" class="sub">{escape(summary)}</text>',
        f'<text x="{LEFT}" y="64" class="sub">{escape(settings)}</text>',
        f'<text x="{LEFT}" y="80" class="sub">{escape(controller)}</text>',
    ]


Steps = tuple[list[float], list[float]]  # each bucket's start and end
Axis = tuple[str, float, float]  # unit label, tick step, unit size


def _load_panel(result: SimulationResult, steps: Steps, axis: Axis) -> list[str]:
    series = result.series
    panel = _Panel(0, result.duration_s, max(series.offered_peak_rps, default=0.0))
    out = panel.frame("Offered load: requests arriving per second", "requests / s", *axis)
    out.append(panel.steps(*steps, list(series.offered_peak_rps), COLORS["peak"], width=1.5))
    out.append(panel.steps(*steps, list(series.offered_rps), COLORS["load"]))
    out += panel.legend(
        [
            (f"mean per {series.interval_s:g} s", COLORS["load"], ""),
            (f"busiest {result.scale.polling_interval_s} s poll", COLORS["peak"], ""),
        ]
    )
    return out


def _replica_panel(result: SimulationResult, steps: Steps, axis: Axis) -> list[str]:
    series, scale = result.series, result.scale
    panel = _Panel(1, result.duration_s, max([scale.max_instances, *series.desired_max]))
    out = panel.frame(
        "Model replicas (pods), highest and lowest at the polls of each interval",
        "replicas",
        *axis,
    )
    out.append(panel.hline(scale.max_instances, COLORS["bounds"], "2,4"))
    out.append(panel.hline(scale.min_instances, COLORS["bounds"], "2,4"))
    out.append(panel.steps(*steps, list(series.formula), COLORS["formula"], "8,3,2,3"))
    out.append(panel.steps(*steps, list(series.desired_max), COLORS["desired"], "6,4"))
    out.append(panel.steps(*steps, list(series.ready_min), COLORS["ready"], "2,2", 1))
    out.append(panel.steps(*steps, list(series.ready_max), COLORS["ready"]))
    out += panel.legend(
        [
            ("ready, highest", COLORS["ready"], ""),
            ("ready, lowest", COLORS["ready"], "2,2"),
            ("ready + starting", COLORS["desired"], "6,4"),
            ("formula at the load", COLORS["formula"], "8,3,2,3"),
            ("min / maxInstances", COLORS["bounds"], "2,4"),
        ]
    )
    return out


def _latency_panel(result: SimulationResult, steps: Steps, axis: Axis) -> list[str]:
    series = result.series
    timeout_s = result.request.request_timeout_ms / 1000
    goals = [
        (label, goal.goal_ms / 1000, COLORS[color], dash)
        for label, goal, color, dash in (
            ("latency goal", result.latency_goal, "slo", "6,4"),
            ("wait goal", result.wait_goal, "wait", "1,3"),
        )
        if goal is not None
    ]
    values = [
        v
        for v in (*series.latency_p50_s, *series.latency_p99_s, *series.wait_p99_s)
        if v is not None
    ]
    top = max([*values, timeout_s, *(seconds for _, seconds, _, _ in goals)])
    panel = _Panel(2, result.duration_s, top, log_min=1e-3)
    out = panel.frame(
        "Latency and queue wait of the requests arriving in each interval",
        "latency (log scale)",
        *axis,
    )
    legend = [
        ("p50 latency", COLORS["p50"], ""),
        ("p99 latency", COLORS["p99"], ""),
        ("p99 queue wait", COLORS["wait"], "4,2"),
    ]
    out.append(panel.hline(timeout_s, COLORS["timeout"], "8,3,2,3"))
    legend.append((f"timeout {_ms_label(timeout_s)}", COLORS["timeout"], "8,3,2,3"))
    for label, seconds, color, dash in goals:
        out.append(panel.hline(seconds, color, dash))
        legend.append((f"{label} {_ms_label(seconds)}", color, dash))
    out.append(panel.steps(*steps, list(series.latency_p50_s), COLORS["p50"]))
    out.append(panel.steps(*steps, list(series.latency_p99_s), COLORS["p99"]))
    out.append(panel.steps(*steps, list(series.wait_p99_s), COLORS["wait"], "4,2"))
    out += panel.legend(legend)
    return out
