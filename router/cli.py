"""python -m router size | simulate: sizing and simulation from the command line.

Invalid input prints one line, `router: error: --option: problem`, and exits 2. `size` exits 1
when the simulation check finds the recommended settings miss their goal.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from router import capacity
from router.controller import SAMPLING
from router.errors import InputError
from router.scale import RequestSettings, ScaleSettings

# Said wherever a request time and a concurrency meet: the model cannot know it otherwise.
CONCURRENCY_HELP = (
    "max_concurrent_requests_per_instance (default 1). Each replica is modelled as K slots at "
    "full speed: measure --request-time with K requests in flight on one replica"
)
REQUEST_TIME_HELP = (
    "mean time a replica spends per request (s), measured at --max-concurrent requests in flight"
)
SAMPLING_HELP = (
    "what the autoscaler sees at a poll: instant (default) counts busy and queued at the poll, "
    "as the docs' formula reads; average takes their means since the last poll"
)


def _concurrency_note(max_concurrent: int, request_time: float) -> str | None:
    if max_concurrent == 1:
        return None
    return (
        f"--max-concurrent {max_concurrent}: each replica is modelled as {max_concurrent} slots "
        f"serving at full speed, so {request_time:g} s must be the request time measured with "
        f"{max_concurrent} requests in flight on one replica; if a replica slows down under "
        "concurrency, a single-request timing under-sizes the deployment"
    )


# Fields whose option is not "--" + the field with "_" as "-" and without a trailing "_s".
_OPTIONS = {
    "ramp_rps_per_s": "--ramp-rps-per-s",
    "requests": "--replica-cpu",
    "requests.cpu": "--replica-cpu",
    "requests.memory": "--replica-memory",
    "requests.gpu": "--replica-gpu",
    "request_settings.max_concurrent_requests_per_instance": "--max-concurrent",
}


def _option(field: str) -> str:
    if field in _OPTIONS:
        return _OPTIONS[field]
    if field.startswith("pools["):
        return "--node-pool"
    name = field.rsplit(".", 1)[-1]
    name = name[:-2] if name.endswith("_s") else name
    return "--" + name.replace("_", "-")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        message = message.removeprefix("argument ")
        if "required: command" in message:
            message = "choose a command: size or simulate (see python -m router --help)"
        sys.stderr.write(f"router: error: {message}\n")
        sys.exit(2)


def _fail(option: str, problem: str) -> None:
    sys.stderr.write(f"router: error: {option}: {problem}\n")
    sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m router", description="Size and simulate azureml-fe autoscaling."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    size = commands.add_parser(
        "size", help="replicas for a request rate: the docs' formula and a latency goal"
    )
    size.add_argument("--rps", type=float, required=True, help="requests per second to serve")
    size.add_argument(
        "--request-time", type=float, required=True, metavar="S", help=REQUEST_TIME_HELP
    )
    size.add_argument("--max-concurrent", type=int, default=1, metavar="K", help=CONCURRENCY_HELP)
    size.add_argument(
        "--target-utilization", type=float, default=0.7, metavar="U", help="fraction (default 0.7)"
    )
    size.add_argument("--format", choices=("text", "json"), default="text")
    size.add_argument(
        "--slo-wait-ms",
        type=float,
        metavar="W",
        help="goal for queue wait + azureml-fe overhead (ms)",
    )
    size.add_argument(
        "--slo-latency-ms",
        type=float,
        metavar="L",
        help="goal for azureml-fe overhead + queue wait + the request time itself (ms)",
    )
    size.add_argument(
        "--headroom",
        type=float,
        default=capacity.DEFAULT_HEADROOM,
        metavar="H",
        help="the goal must still hold at rps x (1 + H) (default 0.1: +10 %%)",
    )
    size.add_argument(
        "--slo-percentile",
        type=float,
        default=99.0,
        metavar="P",
        help="percentile the goal applies to (default 99)",
    )
    size.add_argument(
        "--arrival-cv2",
        type=float,
        default=1.0,
        help="squared CV of gaps between requests: 1 Poisson, >1 burstier (default 1)",
    )
    size.add_argument(
        "--service-cv2",
        type=float,
        default=1.0,
        help="squared CV of request times: 1 exponential, 0 constant (default 1)",
    )
    size.add_argument(
        "--router-ha",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="inferenceRouterHA: 3 azureml-fe instances (default) or 1",
    )
    check = size.add_argument_group(
        "simulation check of the recommended scale settings (with a goal)"
    )
    check.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="simulate the settings at rps x (1 + headroom) (default on)",
    )
    check.add_argument(
        "--check-duration",
        type=float,
        metavar="S",
        help="simulated seconds (default: enough for 200 requests over the percentile per batch)",
    )
    check.add_argument("--sampling", choices=SAMPLING, default="instant", help=SAMPLING_HELP)
    check.add_argument(
        "--start-delay",
        type=float,
        default=30.0,
        metavar="S",
        help="decision to ready pod: start + model load (s, default 30)",
    )
    check.add_argument(
        "--scale-down-delay", type=float, default=60.0, metavar="S", help="default 60"
    )
    check.add_argument(
        "--request-timeout-ms", type=int, default=5000, help="request timeout (ms, default 5000)"
    )
    check.add_argument("--seed", type=int, default=0)
    reaction = size.add_argument_group("bursts and ramps (the time new replicas need)")
    reaction.add_argument("--burst-rps", type=float, help="total rps during a burst")
    reaction.add_argument(
        "--burst-duration", type=float, metavar="S", help="how long the burst lasts (s)"
    )
    reaction.add_argument(
        "--ramp-rps-per-s", type=float, help="how fast the rate may climb (rps per s)"
    )
    reaction.add_argument(
        "--pod-start",
        type=float,
        default=0.0,
        metavar="S",
        help="pod scheduling + image + container start (s)",
    )
    reaction.add_argument(
        "--model-load", type=float, default=0.0, metavar="S", help="model load until ready (s)"
    )
    reaction.add_argument(
        "--polling-interval",
        type=float,
        default=1.0,
        metavar="S",
        help="autoscaler polling interval (s, default 1)",
    )
    reaction.add_argument(
        "--scale-up-delay",
        type=float,
        default=1.0,
        metavar="S",
        help="time a rise must persist before scale-up (s, default 1)",
    )
    fit = size.add_argument_group("node fit (azureml-fe never adds nodes)")
    fit.add_argument(
        "--node-pool",
        action="append",
        default=[],
        metavar="NAME:COUNT:CPU:MEMORY[:GPU]",
        help="free capacity per node, e.g. gpu:2:24:200Gi:1 (repeat per pool)",
    )
    fit.add_argument("--replica-cpu", help="cpu request per replica, e.g. 500m")
    fit.add_argument("--replica-memory", help="memory request per replica, e.g. 2Gi")
    fit.add_argument("--replica-gpu", type=int, default=0, help="GPUs per replica (default 0)")
    fit.add_argument(
        "--max-instances",
        type=int,
        help="replicas to place (default: the formula's or the recommended maxInstances, the larger)",
    )

    sim = commands.add_parser(
        "simulate", help="replay traffic through azureml-fe, the autoscaler and the replicas"
    )
    shapes = sim.add_argument_group("traffic")
    shapes.add_argument(
        "--traffic",
        choices=("constant", "poisson", "step", "ramp", "sinusoid", "csv"),
        default="poisson",
        help="constant: evenly spaced; the others are Poisson (default poisson)",
    )
    shapes.add_argument(
        "--rps",
        type=float,
        help="rate (constant, poisson), rate before the step or ramp, mean of the sinusoid",
    )
    shapes.add_argument("--step-rps", type=float, help="step: rate after the step")
    shapes.add_argument("--step-at", type=float, metavar="S", help="step: when it happens (s)")
    shapes.add_argument("--ramp-to-rps", type=float, help="ramp: rate at its end")
    shapes.add_argument("--ramp-start", type=float, metavar="S", help="ramp: start (s)")
    shapes.add_argument("--ramp-end", type=float, metavar="S", help="ramp: end (s)")
    shapes.add_argument(
        "--amplitude-rps", type=float, help="sinusoid: swing around --rps (lowest at t=0)"
    )
    shapes.add_argument(
        "--period",
        type=float,
        default=86400.0,
        metavar="S",
        help="sinusoid: period (s, default a day)",
    )
    shapes.add_argument(
        "--csv", metavar="FILE", help="csv: arrival times or per-second rates, one per row"
    )
    shapes.add_argument(
        "--csv-kind",
        choices=("times", "rates"),
        default="times",
        help="csv: what the rows are (default times)",
    )
    shapes.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="simulated time (s, default 3600, or the whole csv)",
    )
    model = sim.add_argument_group("deployment")
    model.add_argument(
        "--request-time", type=float, required=True, metavar="S", help=REQUEST_TIME_HELP
    )
    model.add_argument(
        "--service-distribution",
        choices=("exponential", "deterministic", "lognormal"),
        default="exponential",
    )
    model.add_argument(
        "--service-cv",
        type=float,
        default=1.0,
        help="lognormal: coefficient of variation (default 1)",
    )
    model.add_argument("--min-instances", type=int, default=1)
    model.add_argument("--max-instances", type=int, default=1)
    model.add_argument(
        "--target-utilization",
        type=float,
        default=0.7,
        metavar="U",
        help="fraction, a whole percent (default 0.7)",
    )
    model.add_argument(
        "--polling-interval",
        type=int,
        default=1,
        metavar="S",
        help="autoscaler polling interval (s, default 1)",
    )
    model.add_argument("--max-concurrent", type=int, default=1, metavar="K", help=CONCURRENCY_HELP)
    model.add_argument(
        "--request-timeout-ms",
        type=int,
        default=5000,
        help="queue + scoring timeout (ms, default 5000)",
    )
    model.add_argument(
        "--start-delay",
        type=float,
        default=30.0,
        metavar="S",
        help="decision to ready pod: start + model load (s, default 30)",
    )
    model.add_argument("--scale-up-delay", type=float, default=1.0, metavar="S", help="default 1")
    model.add_argument(
        "--scale-down-delay",
        type=float,
        default=60.0,
        metavar="S",
        help="default 60 (docs: about 1 min); the newer docs' 20 polling intervals is 20 x --polling-interval",
    )
    model.add_argument(
        "--initial-replicas", type=int, help="ready replicas at t=0 (default --min-instances)"
    )
    model.add_argument("--sampling", choices=SAMPLING, default="instant", help=SAMPLING_HELP)
    run = sim.add_argument_group("run")
    run.add_argument(
        "--slo-wait-ms", type=float, help="count requests whose queue wait + overhead exceeds this"
    )
    run.add_argument(
        "--slo-latency-ms", type=float, help="count requests whose latency exceeds this"
    )
    run.add_argument(
        "--router-overhead-ms",
        type=float,
        default=capacity.ROUTER_OVERHEAD_MEAN_MS,
        help="azureml-fe's own time per request (ms, default 3: the documented mean)",
    )
    run.add_argument("--seed", type=int, default=0)
    run.add_argument(
        "--chart", metavar="FILE.svg", help="write an SVG chart of load, replicas and latency"
    )
    run.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _node_pool(spec: str) -> dict:
    parts = spec.split(":")
    if len(parts) not in (4, 5) or not parts[1].isdigit():
        _fail(
            "--node-pool",
            f"expected NAME:COUNT:CPU:MEMORY[:GPU] like gpu:2:24:200Gi:1 (got {spec!r})",
        )
    allocatable = {"cpu": parts[2], "memory": parts[3], "gpu": parts[4] if len(parts) == 5 else 0}
    return {"name": parts[0], "count": int(parts[1]), "allocatable": allocatable}


def _size(args: argparse.Namespace) -> tuple[dict, list[str]]:
    sizing = capacity.size(
        args.rps,
        args.request_time,
        args.max_concurrent,
        args.target_utilization,
        args.slo_wait_ms,
        args.slo_percentile,
        args.arrival_cv2,
        args.service_cv2,
        args.router_ha,
        slo_latency_ms=args.slo_latency_ms,
        headroom=args.headroom,
    )
    out = sizing.to_dict()
    pct = f"p{args.slo_percentile:g}"
    lines = [
        f"Load: {args.rps:g} rps x {args.request_time:g} s = {sizing.concurrent_requests:g} requests in flight on average, "
        f"{args.max_concurrent} per replica",
        f"  formula (docs, target utilization {args.target_utilization:.0%}): {sizing.formula_replicas} replicas, "
        f"{pct} queue wait + azureml-fe {_ms_text(sizing.formula_wait_ms)}",
    ]
    goals = []
    if sizing.slo_replicas is not None:
        goals.append(("queue wait + azureml-fe", args.slo_wait_ms, sizing.slo_replicas))
        lines.append(
            f"  wait goal ({pct} queue wait + azureml-fe <= {args.slo_wait_ms:g} ms) at exactly {args.rps:g} rps: "
            f"{sizing.slo_replicas} replicas, {pct} {_ms_text(sizing.slo_wait_predicted_ms)}"
        )
    if sizing.latency_replicas is not None:
        goals.append(("latency", args.slo_latency_ms, sizing.latency_replicas))
        lines.append(
            f"  latency goal ({pct} azureml-fe + wait + request <= {args.slo_latency_ms:g} ms) at exactly {args.rps:g} rps: "
            f"{sizing.latency_replicas} replicas, {pct} {_ms_text(sizing.latency_predicted_ms)}"
        )
    if goals:
        biggest = max(replicas for _, _, replicas in goals)
        gap = sizing.formula_replicas - biggest
        lines.append(
            f"  the formula over-provisions by {gap} replicas for this goal"
            if gap > 0
            else f"  the formula misses this goal: add {-gap} replicas"
            if gap < 0
            else "  both agree"
        )
        lines.append(
            "  these counts have no margin: a few % more traffic misses the goal, and the "
            "autoscaler does not hold them; use the scale settings below"
        )
    lines += _scale_lines(sizing)
    notes = [
        note
        for note in (
            _concurrency_note(args.max_concurrent, args.request_time),
            _timeout_note(sizing, args.request_timeout_ms),
        )
        if note
    ]
    if goals and args.check:
        from router.check import check_sizing

        check = check_sizing(
            sizing,
            duration_s=_check_duration(args.check_duration),
            seed=args.seed,
            sampling=args.sampling,
            start_delay_s=args.start_delay,
            scale_up_delay_s=args.scale_up_delay,
            scale_down_delay_s=args.scale_down_delay,
            request_timeout_ms=args.request_timeout_ms,
        )
        out["check"] = check.to_dict()
        lines += _check_lines(check)
    out["notes"] = notes
    lines += [f"note: {note}" for note in notes]
    router = sizing.router
    lines.append(
        f"azureml-fe: {router.instances} instances needed, the extension deploys {router.deployed}"
    )
    lines += [f"  note: {advice}" for advice in router.advice]

    if args.burst_rps is not None or args.ramp_rps_per_s is not None:
        reaction = capacity.reaction_time_s(
            args.polling_interval, args.scale_up_delay, args.pod_start, args.model_load
        )
        out["reactionS"] = reaction
        lines.append(f"Reaction: a new replica serves at most {reaction:g} s after load rises")
    if args.burst_rps is not None:
        if args.burst_duration is None:
            _fail(
                "--burst-duration", "required with --burst-rps; give the burst's length in seconds"
            )
        max_wait = 0.0 if args.slo_wait_ms is None else args.slo_wait_ms / 1000
        burst = capacity.reaction_min_instances(
            args.burst_rps,
            args.request_time,
            args.burst_duration,
            reaction,
            args.max_concurrent,
            max_wait,
        )
        out["burstMinInstances"] = burst
        lines.append(
            f"  min_instances {burst} carry a {args.burst_rps:g} rps burst of {args.burst_duration:g} s "
            f"({'waits <= the goal' if max_wait else 'no backlog'})"
        )
    if args.ramp_rps_per_s is not None:
        ramp = capacity.ramp_headroom(
            args.rps, args.ramp_rps_per_s, args.request_time, reaction, args.max_concurrent
        )
        out["rampExtraReplicas"] = ramp.extra_replicas
        out["rampMaxTargetUtilization"] = round(ramp.max_target_utilization, 4)
        lines.append(
            f"  a ramp of {args.ramp_rps_per_s:g} rps/s needs {ramp.extra_replicas} spare replicas: "
            f"target utilization <= {ramp.max_target_utilization:.0%} at {args.rps:g} rps"
        )

    if args.node_pool:
        requests = {"cpu": args.replica_cpu, "memory": args.replica_memory, "gpu": args.replica_gpu}
        if args.replica_cpu is None or args.replica_memory is None:
            _fail(
                "--replica-cpu" if args.replica_cpu is None else "--replica-memory",
                "required with --node-pool",
            )
        wanted = (
            args.max_instances
            if args.max_instances is not None
            else max(sizing.formula_replicas, sizing.scale.settings.max_instances)
        )
        fit = capacity.node_fit(wanted, requests, [_node_pool(spec) for spec in args.node_pool])
        out["nodeFit"] = {
            "pending": fit.pending,
            "requested": fit.requested,
            "schedulable": fit.schedulable,
            "pools": [
                {"name": p.name, "nodes": p.nodes, "perNode": p.per_node, "replicas": p.replicas}
                for p in fit.pools
            ],
        }
        lines.append(
            f"Nodes: {fit.schedulable} of {fit.requested} replicas fit; {fit.pending} would stay Pending"
        )
        lines += [
            f"  {p.name}: {p.nodes} nodes x {p.per_node} = {p.replicas} placed" for p in fit.pools
        ]
    return out, lines


def _scale_lines(sizing: capacity.Sizing) -> list[str]:
    scale = sizing.scale
    settings = scale.settings
    head = (
        f"Scale settings (the goal holds at {scale.design_rps:g} rps, +{scale.headroom:.0%}):"
        if scale.basis == "goal"
        else "Scale settings (the docs' formula only; give --slo-wait-ms or --slo-latency-ms to size for a goal):"
    )
    return [
        head,
        f"  minInstances {settings.min_instances}, maxInstances {settings.max_instances}, "
        f"targetUtilizationPercentage {settings.target_utilization_percentage}, "
        f"pollingInterval {settings.polling_interval}",
        f"  why: {scale.derivation}",
    ]


def _check_lines(check) -> list[str]:
    lines = [
        f"Check: {check.duration_s:g} s simulated at {check.design_rps:g} rps ({check.requests:,} requests, "
        f"{check.sampling} sampling, seed {check.seed}, pods ready {check.start_delay_s:g} s after the decision)"
    ]
    for goal in check.goals:
        fraction = goal.fraction
        interval = (
            "no interval"
            if fraction.high is None
            else f"95 % CI {fraction.low:.3%} to {fraction.high:.3%}"
        )
        lines.append(
            f"  {goal.kind} goal {goal.goal_ms:g} ms: {fraction.value:.3%} of requests over it ({interval}), "
            f"allowed {goal.allowed:.2%}: {goal.verdict}"
        )
    lines.append(
        f"  autoscaler: peak {check.peak_replicas} replicas, {check.replica_premium:+.0%} replica-seconds over the "
        f"formula at the same load, {check.flips_per_hour:.0f} flips an hour"
    )
    lines += [f"  warning: {warning}" for warning in check.warnings]
    return lines


def _check_duration(value: float | None) -> float | None:
    from router.traffic import MAX_DURATION_S

    if value is not None and not 0 < value <= MAX_DURATION_S:
        _fail("--check-duration", f"must be in (0, {MAX_DURATION_S:g}] seconds (got {value:g})")
    return value


def _timeout_note(sizing: capacity.Sizing, timeout_ms: int) -> str | None:
    # The tail of the request time alone: exponential unless the user said constant.
    miss = 1.0 - sizing.slo_percentile / 100.0
    alone_ms = sizing.request_time_s * 1000 * (1 if sizing.service_cv2 == 0 else math.log(1 / miss))
    if alone_ms < timeout_ms:
        return None
    return (
        f"request_timeout_ms {timeout_ms} is below the request time's own p{sizing.slo_percentile:g} "
        f"({alone_ms:,.0f} ms): those requests will time out; raise request_timeout_ms"
    )


def _ms_text(value: float | None) -> str:
    return "unbounded (overloaded)" if value == float("inf") else f"{value:,.1f} ms"


def _traffic(args: argparse.Namespace):
    from router import traffic

    duration = args.duration if args.duration is not None or args.traffic == "csv" else 3600.0
    if args.traffic == "csv":
        if args.csv is None:
            _fail("--csv", "required with --traffic csv; give the file")
        return traffic.from_csv(args.csv, args.csv_kind, duration)
    needed = {
        "step": ("step_rps", "step_at"),
        "ramp": ("ramp_to_rps", "ramp_start", "ramp_end"),
        "sinusoid": ("amplitude_rps",),
    }.get(args.traffic, ())
    for name in ("rps", *needed):
        if getattr(args, name) is None:
            _fail("--" + name.replace("_", "-"), f"required with --traffic {args.traffic}")
    if args.traffic == "constant":
        return traffic.constant(args.rps, duration)
    if args.traffic == "poisson":
        return traffic.poisson(args.rps, duration)
    if args.traffic == "step":
        return traffic.step(args.rps, args.step_rps, args.step_at, duration)
    if args.traffic == "ramp":
        return traffic.ramp(args.rps, args.ramp_to_rps, args.ramp_start, args.ramp_end, duration)
    return traffic.sinusoid(args.rps, args.amplitude_rps, args.period, duration)


def _simulate(args: argparse.Namespace) -> tuple[dict, list[str]]:
    from router import simulator

    if not 0 < args.target_utilization <= 1:
        _fail(
            "--target-utilization",
            f"must be a fraction in (0, 1], e.g. 0.7 for 70 % (got {args.target_utilization:g})",
        )
    percent = round(args.target_utilization * 100)
    if abs(args.target_utilization * 100 - percent) > 1e-6:
        _fail(
            "--target-utilization",
            f"must be a whole percent like 0.7, as target_utilization_percentage is (got {args.target_utilization:g})",
        )
    scale = ScaleSettings(
        min_instances=args.min_instances,
        max_instances=args.max_instances,
        target_utilization_percentage=percent,
        polling_interval=args.polling_interval,
    )
    request = RequestSettings(
        max_concurrent_requests_per_instance=args.max_concurrent,
        request_timeout_ms=args.request_timeout_ms,
    )
    service = simulator.ServiceTime(args.request_time, args.service_distribution, args.service_cv)
    result = simulator.simulate(
        _traffic(args),
        service,
        scale,
        request,
        start_delay_s=args.start_delay,
        scale_up_delay_s=args.scale_up_delay,
        scale_down_delay_s=args.scale_down_delay,
        seed=args.seed,
        slo_wait_ms=args.slo_wait_ms,
        slo_latency_ms=args.slo_latency_ms,
        router_overhead_ms=args.router_overhead_ms,
        initial_replicas=args.initial_replicas,
        sampling=args.sampling,
    )
    if args.chart:
        _write_chart(args.chart, result)
    ms = 1000.0

    def share(count: int) -> str:
        return f"{count / result.requests:.2%}" if result.requests else "0.00%"

    def row(percentiles) -> str:
        return "  ".join(f"{k} {v:,.1f}" for k, v in percentiles.to_ms().items())

    lines = [
        f"Simulated {result.duration_s:g} s of {result.traffic['shape']} traffic: {result.requests:,} requests, seed {result.seed}",
        f"  queue wait ms   {row(result.wait)}",
        f"  latency ms      {row(result.latency)}",
        f"  mean wait       {result.wait_mean.text(ms, ' ms')}",
        f"  p99 wait        {result.wait_p99.text(ms, ' ms')}",
        f"  p99 latency     {result.latency_p99.text(ms, ' ms')}",
        f"  timeouts        {result.timeouts:,} ({share(result.timeouts)}), {result.dropped:,} of them never started",
        f"  replicas        peak {result.peak_replicas}, {result.replica_seconds / 3600:,.2f} replica-hours, "
        f"{result.replica_premium:+.1%} over the formula at the offered load",
        f"  autoscaler      {result.sampling} sampling: {result.scale_events} scale events, "
        f"{result.direction_changes} flips ({result.flips_per_hour:,.1f} an hour)",
        f"  utilization     {result.utilization:.1%} of ready slots busy; queue relaxation time "
        + (
            "unbounded (overloaded)"
            if math.isinf(result.relaxation_s)
            else f"{result.relaxation_s:,.3g} s"
        ),
        f"  longest queue   {result.max_queue:,} requests waiting in azureml-fe at a poll",
    ]
    for label, goal, count, fraction in (
        ("wait goal", result.slo_wait_ms, result.slo_wait_violations, result.slo_wait_fraction),
        (
            "latency goal",
            result.slo_latency_ms,
            result.slo_latency_violations,
            result.slo_latency_fraction,
        ),
    ):
        if goal is not None:
            lines.append(
                f"  {label:<15} {count:,} requests over {goal:g} ms: {fraction.text(100, ' %')}"
            )
    if args.chart:
        lines.append(f"  chart           {args.chart}")
    out = result.to_dict()
    out["notes"] = [
        note for note in (_concurrency_note(args.max_concurrent, args.request_time),) if note
    ]
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines += [f"note: {note}" for note in out["notes"]]
    return out, lines


def _write_chart(path: str, result) -> None:
    from router.chart import render_svg

    if not path.lower().endswith(".svg"):
        _fail(
            "--chart",
            f"the chart is SVG; name the file *.svg (got {path!r}), and convert it if you need PNG",
        )
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render_svg(result))
    except OSError as error:
        _fail("--chart", f"cannot write {path}: {error.strerror}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        out, lines = _size(args) if args.command == "size" else _simulate(args)
    except InputError as error:
        _fail(_option(error.field), error.problem)
    if args.format == "json":
        sys.stdout.write(json.dumps(out, sort_keys=True, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    missed = any(goal["verdict"] == "misses" for goal in out.get("check", {}).get("goals", []))
    return 1 if missed else 0
