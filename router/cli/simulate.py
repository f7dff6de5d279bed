"""`python -m router simulate`: the run (`compute`), then its JSON and its text."""

from __future__ import annotations

import argparse
import math

from router import traffic
from router.cli.report import Outcome, concurrency_note, unit_note, write_chart
from router.inputs import InputError
from router.results import SimulationResult
from router.scale import RequestSettings, ScaleSettings
from router.service import ServiceTime
from router.simulation import simulate
from router.stats import Percentiles

# What each shape needs besides --rps.
_SHAPE_OPTIONS = {
    "step": ("step_rps", "step_at_s"),
    "ramp": ("ramp_to_rps", "ramp_start_s", "ramp_end_s"),
    "sinusoid": ("amplitude_rps",),
}


def run(args: argparse.Namespace) -> Outcome:
    result = compute(args)
    notes = [
        note
        for note in (
            unit_note(args.request_time_ms),
            concurrency_note(args.max_concurrent, args.request_time_ms),
        )
        if note
    ]
    data = result.to_dict()
    data["notes"] = notes
    lines = as_text(result, args.chart)
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines += [f"note: {note}" for note in notes]
    return Outcome(data, lines, 0)


def _traffic(args: argparse.Namespace) -> traffic.Traffic:
    duration = args.duration_s if args.duration_s is not None or args.traffic == "csv" else 3600.0
    if args.traffic == "csv":
        if args.csv is None:
            raise InputError("csv", "required with --traffic csv; give the file")
        return traffic.from_csv(args.csv, args.csv_kind, duration)
    for name in ("rps", *_SHAPE_OPTIONS.get(args.traffic, ())):
        if getattr(args, name) is None:
            raise InputError(name, f"required with --traffic {args.traffic}")
    if args.traffic == "constant":
        return traffic.constant(args.rps, duration)
    if args.traffic == "poisson":
        return traffic.poisson(args.rps, duration)
    if args.traffic == "step":
        return traffic.step(args.rps, args.step_rps, args.step_at_s, duration)
    if args.traffic == "ramp":
        return traffic.ramp(
            args.rps, args.ramp_to_rps, args.ramp_start_s, args.ramp_end_s, duration
        )
    return traffic.sinusoid(args.rps, args.amplitude_rps, args.period_s, duration)


def compute(args: argparse.Namespace) -> SimulationResult:
    scale = ScaleSettings(
        min_instances=args.min_instances,
        max_instances=args.max_instances,
        target_utilization_percentage=args.target_utilization_percentage,
        polling_interval_s=args.polling_interval_s,
    )
    request = RequestSettings(args.max_concurrent, args.request_timeout_ms)
    service = ServiceTime(args.request_time_ms, args.service_distribution, args.service_cv)
    result = simulate(
        _traffic(args),
        service,
        scale,
        request,
        start_delay_s=args.start_delay_s,
        scale_up_delay_s=args.scale_up_delay_s,
        scale_down_delay_s=args.scale_down_delay_s,
        seed=args.seed,
        wait_goal_ms=args.wait_goal_ms,
        latency_goal_ms=args.latency_goal_ms,
        router_overhead_ms=args.router_overhead_ms,
        initial_replicas=args.initial_replicas,
        sampling=args.sampling,
    )
    if args.chart:
        write_chart(args.chart, result)
    return result


def _row(percentiles: Percentiles) -> str:
    return "  ".join(f"{k} {v:,.1f}" for k, v in percentiles.to_ms().items())


def as_text(result: SimulationResult, chart: str | None) -> list[str]:
    ms = 1000.0

    def share(count: int) -> str:
        return f"{count / result.requests:.2%}" if result.requests else "0.00%"

    relaxation = (
        "unbounded (overloaded)"
        if math.isinf(result.relaxation_s)
        else f"{result.relaxation_s:,.3g} s"
    )
    lines = [
        f"Simulated {result.duration_s:g} s of {result.traffic['shape']} traffic: "
        f"{result.requests:,} requests, seed {result.seed}",
        f"  queue wait ms   {_row(result.wait)}",
        f"  latency ms      {_row(result.latency)}",
        f"  mean wait       {result.wait_mean.text(ms, ' ms')}",
        f"  p99 wait        {result.wait_p99.text(ms, ' ms')}",
        f"  p99 latency     {result.latency_p99.text(ms, ' ms')}",
        f"  timeouts        {result.timeouts:,} ({share(result.timeouts)}), {result.dropped:,} "
        "of them never started",
        f"  replicas        peak {result.peak_replicas}, {result.replica_seconds / 3600:,.2f} "
        f"replica-hours, {result.replica_premium:+.1%} over the formula at the offered load",
        f"  autoscaler      {result.sampling} sampling: {result.scale_events} scale events, "
        f"{result.direction_changes} flips ({result.flips_per_hour:,.1f} an hour)",
        f"  utilization     {result.utilization:.1%} of ready slots busy; queue relaxation time "
        f"{relaxation}",
        f"  longest queue   {result.max_queue:,} requests waiting in azureml-fe at a poll",
    ]
    for label, goal in (("wait goal", result.wait_goal), ("latency goal", result.latency_goal)):
        if goal is not None:
            lines.append(
                f"  {label:<15} {goal.violations:,} requests over {goal.goal_ms:g} ms: "
                f"{goal.fraction.text(100, ' %')}"
            )
    if chart:
        lines.append(f"  chart           {chart}")
    return lines
