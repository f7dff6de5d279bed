"""`python -m router size`: what is found (`compute`), then the same findings as JSON (`as_json`)
and as text (`as_text`)."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field

from router import nodefit, recommend
from router.check import Check, check_sizing, simulate_sizing
from router.cli.report import Outcome, concurrency_note, timeout_note, unit_note, write_chart
from router.inputs import InputError
from router.results import SimulationResult
from router.scale import RequestSettings
from router.sizing import SizingReport, size


@dataclass(frozen=True)
class Reaction:
    seconds: float
    burst_min_instances: int | None = None
    ramp: recommend.RampHeadroom | None = None


@dataclass(frozen=True)
class Found:
    args: argparse.Namespace
    sizing: SizingReport
    check: Check | None
    reaction: Reaction | None
    fit: nodefit.NodeFit | None
    notes: list[str] = field(default_factory=list)


def run(args: argparse.Namespace) -> Outcome:
    found = compute(args)
    missed = found.check is not None and any(g.verdict == "misses" for g in found.check.goals)
    return Outcome(as_json(found), as_text(found), 1 if missed else 0)


def compute(args: argparse.Namespace) -> Found:
    request = RequestSettings(args.max_concurrent, args.request_timeout_ms)
    sizing = size(
        args.rps,
        args.request_time_ms,
        request,
        target_utilization_percentage=args.target_utilization_percentage,
        wait_goal_ms=args.wait_goal_ms,
        latency_goal_ms=args.latency_goal_ms,
        wait_percentile=args.wait_percentile,
        arrival_cv2=args.arrival_cv2,
        service_cv2=args.service_cv2,
        router_ha=args.router_ha,
        headroom=args.headroom,
    )
    reaction, fit = _reaction(args), _fit(args, sizing)
    check, result = _simulation(args, sizing)
    if args.chart:  # last: a bad input above leaves no file behind
        write_chart(args.chart, result)
    found_notes = [
        note
        for note in (
            unit_note(args.request_time_ms),
            concurrency_note(args.max_concurrent, args.request_time_ms),
            timeout_note(sizing),
        )
        if note
    ]
    return Found(args, sizing, check, reaction, fit, found_notes)


def _simulation(
    args: argparse.Namespace, sizing: SizingReport
) -> tuple[Check | None, SimulationResult | None]:
    """The check when there is a goal to check; a plain simulation when only a chart asks."""
    options = {
        "duration_s": args.check_duration_s,
        "seed": args.seed,
        "sampling": args.sampling,
        "start_delay_s": args.start_delay_s,
        "scale_up_delay_s": args.scale_up_delay_s,
        "scale_down_delay_s": args.scale_down_delay_s,
    }
    if args.check_duration_s is not None:
        from router.traffic import MAX_DURATION_S

        if not 0 < args.check_duration_s <= MAX_DURATION_S:
            raise InputError(
                "check_duration_s",
                f"must be in (0, {MAX_DURATION_S:g}] seconds (got {args.check_duration_s:g})",
            )
    if sizing.scale.basis == "goal" and args.check:
        check = check_sizing(sizing, **options)
        return check, check.result
    if args.chart:
        return None, simulate_sizing(sizing, **options)
    return None, None


def _reaction(args: argparse.Namespace) -> Reaction | None:
    if args.burst_rps is None and args.ramp_rps_per_s is None:
        return None
    seconds = recommend.reaction_time_s(
        args.polling_interval_s, args.scale_up_delay_s, args.pod_start_s, args.model_load_s
    )
    burst = None
    if args.burst_rps is not None:
        if args.burst_duration_s is None:
            raise InputError(
                "burst_duration_s", "required with --burst-rps; give the burst's length in seconds"
            )
        burst = recommend.reaction_min_instances(
            args.burst_rps,
            args.request_time_ms,
            args.burst_duration_s,
            seconds,
            args.max_concurrent,
            0.0 if args.wait_goal_ms is None else args.wait_goal_ms,
        )
    ramp = None
    if args.ramp_rps_per_s is not None:
        ramp = recommend.ramp_headroom(
            args.rps, args.ramp_rps_per_s, args.request_time_ms, seconds, args.max_concurrent
        )
    return Reaction(seconds, burst, ramp)


def _node_pool(spec: str) -> dict:
    parts = spec.split(":")
    if len(parts) not in (4, 5) or not (parts[1].isascii() and parts[1].isdigit()):
        raise InputError(
            "pools[]", f"expected NAME:COUNT:CPU:MEMORY[:GPU] like gpu:2:24:200Gi:1 (got {spec!r})"
        )
    allocatable = {"cpu": parts[2], "memory": parts[3], "gpu": parts[4] if len(parts) == 5 else 0}
    return {"name": parts[0], "count": int(parts[1]), "allocatable": allocatable}


def _fit(args: argparse.Namespace, sizing: SizingReport) -> nodefit.NodeFit | None:
    if not args.node_pool:
        return None
    for option, value in (
        ("requests.cpu", args.replica_cpu),
        ("requests.memory", args.replica_memory),
    ):
        if value is None:
            raise InputError(option, "required with --node-pool")
    requests = {"cpu": args.replica_cpu, "memory": args.replica_memory, "gpu": args.replica_gpu}
    wanted = (
        args.max_instances
        if args.max_instances is not None
        else max(sizing.formula_replicas, sizing.scale.settings.max_instances)
    )
    return nodefit.node_fit(wanted, requests, [_node_pool(spec) for spec in args.node_pool])


def as_json(found: Found) -> dict:
    out = found.sizing.to_dict()
    if found.check is not None:
        out["check"] = found.check.to_dict()
    out["notes"] = found.notes
    if found.reaction is not None:
        out["reactionS"] = found.reaction.seconds
        if found.reaction.burst_min_instances is not None:
            out["burstMinInstances"] = found.reaction.burst_min_instances
        if found.reaction.ramp is not None:
            out["rampExtraReplicas"] = found.reaction.ramp.extra_replicas
            out["rampMaxTargetUtilization"] = round(found.reaction.ramp.max_target_utilization, 4)
    if found.fit is not None:
        out["nodeFit"] = {
            "pending": found.fit.pending,
            "requested": found.fit.requested,
            "schedulable": found.fit.schedulable,
            "pools": [
                {"name": p.name, "nodes": p.nodes, "perNode": p.per_node, "replicas": p.replicas}
                for p in found.fit.pools
            ],
        }
    return out


def as_text(found: Found) -> list[str]:
    args, sizing = found.args, found.sizing
    lines = _load_lines(sizing) + _scale_lines(sizing)
    if found.check is not None:
        lines += _check_lines(found.check)
    lines += [f"note: {note}" for note in found.notes]
    router = sizing.router
    lines.append(
        f"azureml-fe: {router.instances} instances needed, the extension deploys {router.deployed}"
    )
    lines += [f"  note: {advice}" for advice in router.advice]
    reaction = found.reaction
    if reaction is not None:
        lines.append(
            f"Reaction: a new replica serves at most {reaction.seconds:g} s after load rises"
        )
        if reaction.burst_min_instances is not None:
            backlog = "waits <= the goal" if args.wait_goal_ms else "no backlog"
            lines.append(
                f"  minInstances {reaction.burst_min_instances} carry a {args.burst_rps:g} rps burst "
                f"of {args.burst_duration_s:g} s ({backlog})"
            )
        if reaction.ramp is not None:
            lines.append(
                f"  a ramp of {args.ramp_rps_per_s:g} rps/s needs {reaction.ramp.extra_replicas} spare "
                f"replicas: target utilization <= {reaction.ramp.max_target_utilization:.0%} at "
                f"{args.rps:g} rps"
            )
    if found.fit is not None:
        fit = found.fit
        lines.append(
            f"Nodes: {fit.schedulable} of {fit.requested} replicas fit; {fit.pending} would stay Pending"
        )
        lines += [
            f"  {p.name}: {p.nodes} nodes x {p.per_node} = {p.replicas} placed" for p in fit.pools
        ]
    if args.chart:
        lines.append(f"Chart: {args.chart}")
    return lines


def _ms_text(value: float | None) -> str:
    return "unbounded (overloaded)" if value is None or math.isinf(value) else f"{value:,.1f} ms"


def _load_lines(sizing: SizingReport) -> list[str]:
    pct = f"p{sizing.wait_percentile:g}"
    rps = f"{sizing.rps:g}"
    lines = [
        f"Load: {rps} rps x {sizing.request_time_ms:g} ms = {sizing.concurrent_requests:g} "
        f"requests in flight on average, {sizing.max_concurrent} per replica",
        f"  formula (docs, targetUtilizationPercentage {sizing.target_utilization_percentage}): "
        f"{sizing.formula_replicas} replicas, {pct} queue wait + azureml-fe "
        f"{_ms_text(sizing.formula_wait_ms)}",
    ]
    if sizing.wait_goal_replicas is not None:
        lines.append(
            f"  wait goal ({pct} queue wait + azureml-fe <= {sizing.wait_goal_ms:g} ms) at exactly "
            f"{rps} rps: {sizing.wait_goal_replicas} replicas, {pct} {_ms_text(sizing.wait_predicted_ms)}"
        )
    if sizing.latency_goal_replicas is not None:
        lines.append(
            f"  latency goal ({pct} azureml-fe + wait + request <= {sizing.latency_goal_ms:g} ms) at "
            f"exactly {rps} rps: {sizing.latency_goal_replicas} replicas, {pct} "
            f"{_ms_text(sizing.latency_predicted_ms)}"
        )
    if sizing.scale.basis == "goal":
        # Counts at exactly the given rate, with no margin: the settings below add headroom and
        # the autoscaler's noise margin, so they may well exceed the formula.
        lines.append(
            "  these counts have no margin: a few % more traffic misses the goal, and the "
            "autoscaler does not hold them; use the scale settings below"
        )
    return lines


def _scale_lines(sizing: SizingReport) -> list[str]:
    scale = sizing.scale
    settings = scale.settings
    head = (
        f"Scale settings (the goal holds at {scale.design_rps:g} rps, +{scale.headroom:.0%}):"
        if scale.basis == "goal"
        else "Scale settings (the docs' formula only; give --wait-goal-ms or --latency-goal-ms "
        "to size for a goal):"
    )
    stack = ", ".join(f"{key}: {value}" for key, value in settings.to_stack().items())
    request = ", ".join(f"{key}: {value}" for key, value in sizing.request.to_stack().items())
    return [
        head,
        f"  scaleSettings: {{{stack}}}",
        f"  requestSettings: {{{request}}}",
        f"  why: {scale.derivation}",
    ]


def _check_lines(check: Check) -> list[str]:
    result = check.result
    lines = [
        f"Check: {check.duration_s:g} s simulated at {check.design_rps:g} rps ({result.requests:,} "
        f"requests, {check.sampling} sampling, seed {check.seed}, pods ready "
        f"{check.start_delay_s:g} s after the decision)"
    ]
    for goal in check.goals:
        fraction = goal.fraction
        interval = (
            "no interval"
            if fraction.low is None or fraction.high is None
            else f"95 % CI {fraction.low:.3%} to {fraction.high:.3%}"
        )
        lines.append(
            f"  {goal.kind} goal {goal.goal_ms:g} ms: {fraction.value:.3%} of requests over it "
            f"({interval}), allowed {goal.allowed:.2%}: {goal.verdict_text}"
        )
    lines.append(
        f"  autoscaler: peak {result.peak_replicas} replicas, {result.replica_premium:+.0%} "
        f"replica-seconds over the formula at the same load, {result.flips_per_hour:.0f} flips an hour"
    )
    lines += [f"  warning: {warning}" for warning in check.warnings]
    return lines
