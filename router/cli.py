"""python -m router size | simulate: sizing and simulation from the command line.

Invalid input prints one line, `router: error: --option: problem`, and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from router import capacity
from router.errors import InputError
from router.scale import RequestSettings, ScaleSettings

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
        "--request-time",
        type=float,
        required=True,
        metavar="S",
        help="mean time a replica spends per request (s)",
    )
    size.add_argument(
        "--max-concurrent",
        type=int,
        default=1,
        metavar="K",
        help="max_concurrent_requests_per_instance (default 1)",
    )
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
        "--max-instances", type=int, help="replicas to place (default: the larger of the two sizes)"
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
        "--request-time",
        type=float,
        required=True,
        metavar="S",
        help="mean time a replica spends per request (s)",
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
    model.add_argument(
        "--max-concurrent",
        type=int,
        default=1,
        metavar="K",
        help="max_concurrent_requests_per_instance (default 1)",
    )
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
    )
    out = sizing.to_dict()
    pct = f"p{args.slo_percentile:g}"
    lines = [
        f"Load: {args.rps:g} rps x {args.request_time:g} s = {sizing.concurrent_requests:g} requests in flight on average, "
        f"{args.max_concurrent} per replica",
        f"  formula (docs, target utilization {args.target_utilization:.0%}): {sizing.formula_replicas} replicas, "
        f"{pct} queue wait + azureml-fe {_ms_text(sizing.formula_wait_ms)}",
    ]
    if sizing.slo_replicas is not None:
        lines.append(
            f"  latency goal ({pct} queue wait + azureml-fe <= {args.slo_wait_ms:g} ms): {sizing.slo_replicas} replicas, "
            f"{pct} {_ms_text(sizing.slo_wait_predicted_ms)}"
        )
        gap = sizing.formula_replicas - sizing.slo_replicas
        lines.append(
            f"  the formula over-provisions by {gap} replicas for this goal"
            if gap > 0
            else f"  the formula misses this goal: add {-gap} replicas"
            if gap < 0
            else "  both agree"
        )
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
            else max(sizing.formula_replicas, sizing.slo_replicas or 0)
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
    )
    if args.chart:
        _write_chart(args.chart, result)

    def share(count: int) -> str:
        return f"{count / result.requests:.2%}" if result.requests else "0.00%"

    def row(percentiles) -> str:
        return "  ".join(f"{k} {v:,.1f}" for k, v in percentiles.to_ms().items())

    lines = [
        f"Simulated {result.duration_s:g} s of {result.traffic['shape']} traffic: {result.requests:,} requests, seed {result.seed}",
        f"  queue wait ms   {row(result.wait)}",
        f"  latency ms      {row(result.latency)}",
        f"  timeouts        {result.timeouts:,} ({share(result.timeouts)}), {result.dropped:,} of them never started",
        f"  replicas        peak {result.peak_replicas}, {result.replica_seconds / 3600:,.2f} replica-hours, "
        f"{result.scale_events} scale events, {result.direction_changes} direction changes",
        f"  longest queue   {result.max_queue:,} requests waiting in azureml-fe at a poll",
    ]
    if result.slo_wait_ms is not None:
        lines.append(
            f"  wait goal       {result.slo_wait_violations:,} requests over {result.slo_wait_ms:g} ms ({share(result.slo_wait_violations)})"
        )
    if result.slo_latency_ms is not None:
        lines.append(
            f"  latency goal    {result.slo_latency_violations:,} requests over {result.slo_latency_ms:g} ms ({share(result.slo_latency_violations)})"
        )
    if args.chart:
        lines.append(f"  chart           {args.chart}")
    return result.to_dict(), lines


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
    return 0
