"""The router's command line: its options, and which option a bad input field came from."""

from __future__ import annotations

import argparse
import re

from catalog import endpoints, inference_router
from common import cli
from router.controller import SAMPLING
from router.recommend import DEFAULT_HEADROOM
from router.service import DISTRIBUTIONS

CONCURRENCY_HELP = (
    "maxConcurrentRequestsPerInstance (default 1). Each replica is modelled as K slots at full "
    "speed: measure --request-time-ms with K requests in flight on one replica"
)
REQUEST_TIME_HELP = (
    "mean time a replica spends per request, in milliseconds (the stack's requestTimeMs), "
    "measured at --max-concurrent requests in flight"
)
SAMPLING_HELP = (
    "what the autoscaler sees at a poll: instant (default) counts busy and queued at the poll, "
    "as the docs' formula reads; average takes their means since the last poll"
)

# Fields whose option is not the field in kebab case.
_OPTIONS = {
    "max_concurrent": "--max-concurrent",
    "maxConcurrentRequestsPerInstance": "--max-concurrent",
    "replicas": "--max-instances",
    "requests": "--replica-cpu",
    "requests.cpu": "--replica-cpu",
    "requests.memory": "--replica-memory",
    "requests.gpu": "--replica-gpu",
    "max_wait_ms": "--wait-goal-ms",
    "reaction_s": "--polling-interval-s",
    "csv_kind": "--csv-kind",
}


def option(field: str) -> str:
    """The option a bad input came from: request_time_ms -> --request-time-ms, minInstances ->
    --min-instances."""
    if field in _OPTIONS:
        return _OPTIONS[field]
    if field.startswith("pools["):
        return "--node-pool"
    name = field.rsplit(".", 1)[-1]
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()
    return "--" + name.replace("_", "-")


def parser() -> argparse.ArgumentParser:
    top = cli.Parser(
        prog="python -m router", description="Size and simulate azureml-fe autoscaling."
    )
    commands = cli.subcommands(top, dest="command", metavar="{size,simulate}")
    _size(
        commands.add_parser("size", help="replicas and scale settings for a request rate and goal")
    )
    _simulate(
        commands.add_parser(
            "simulate", help="replay traffic through azureml-fe, the autoscaler and the replicas"
        )
    )
    return top


def _deployment(p: argparse._ActionsContainer) -> None:
    p.add_argument(
        "--request-time-ms", type=cli.number, required=True, metavar="MS", help=REQUEST_TIME_HELP
    )
    p.add_argument(
        "--max-concurrent", type=cli.integer, default=1, metavar="K", help=CONCURRENCY_HELP
    )
    p.add_argument(
        "--target-utilization-percentage",
        type=cli.integer,
        default=endpoints.TARGET_UTILIZATION_DEFAULT,
        metavar="P",
        help=f"whole percent, 1 to 100 (default {endpoints.TARGET_UTILIZATION_DEFAULT})",
    )
    p.add_argument(
        "--request-timeout-ms",
        type=cli.integer,
        default=endpoints.REQUEST_TIMEOUT_MS_DEFAULT,
        metavar="MS",
        help=f"queue + scoring timeout (default {endpoints.REQUEST_TIMEOUT_MS_DEFAULT})",
    )


def _controller(p: argparse._ActionsContainer, start_delay: bool = True) -> None:
    if start_delay:
        p.add_argument(
            "--start-delay-s",
            type=cli.number,
            default=30.0,
            metavar="S",
            help="decision to ready pod: start + model load (default 30)",
        )
    p.add_argument(
        "--scale-down-delay-s",
        type=cli.number,
        default=inference_router.SCALE_DOWN_DELAY_S,
        metavar="S",
        help="default 60 (about 1 min); the newer docs' 20 polling intervals is 20 x "
        "--polling-interval-s",
    )
    p.add_argument("--sampling", choices=SAMPLING, default="instant", help=SAMPLING_HELP)
    p.add_argument("--seed", type=cli.integer, default=0)


def _goals(p: argparse._ActionsContainer) -> None:
    p.add_argument(
        "--wait-goal-ms",
        type=cli.number,
        metavar="MS",
        help="goal for queue wait + azureml-fe overhead (the stack's waitGoalMs)",
    )
    p.add_argument(
        "--latency-goal-ms",
        type=cli.number,
        metavar="MS",
        help="goal for azureml-fe overhead + queue wait + the request time itself",
    )


def _size(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rps", type=cli.number, required=True, help="requests per second to serve")
    _deployment(p)
    _goals(p)
    p.add_argument(
        "--wait-percentile",
        type=cli.number,
        default=99.0,
        metavar="P",
        help="percentile the goals apply to (the stack's waitPercentile, default 99)",
    )
    p.add_argument(
        "--headroom",
        type=cli.number,
        default=DEFAULT_HEADROOM,
        metavar="H",
        help="the goal must still hold at rps x (1 + H) (default 0.1: +10 %%)",
    )
    p.add_argument(
        "--arrival-cv2",
        type=cli.number,
        default=1.0,
        help="squared CV of gaps between requests: 1 Poisson, >1 burstier (default 1)",
    )
    p.add_argument(
        "--service-cv2",
        type=cli.number,
        default=1.0,
        help="squared CV of request times: 1 exponential, 0 constant (default 1)",
    )
    p.add_argument(
        "--router-ha",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="inferenceRouterHA: 3 azureml-fe instances (default) or 1",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    _size_check(p)
    _size_reaction(p)
    _size_fit(p)


def _size_check(p: argparse.ArgumentParser) -> None:
    check = p.add_argument_group("simulation check of the recommended scale settings (with a goal)")
    check.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="simulate the settings at rps x (1 + headroom) (default on)",
    )
    check.add_argument(
        "--check-duration-s",
        type=cli.number,
        metavar="S",
        help="simulated seconds (default: enough for 200 requests over the percentile per batch)",
    )
    _controller(check)
    check.add_argument(
        "--chart", metavar="FILE.svg", help="write an SVG chart of the check's simulation"
    )


def _size_reaction(p: argparse.ArgumentParser) -> None:
    reaction = p.add_argument_group("bursts and ramps (the time new replicas need)")
    reaction.add_argument("--burst-rps", type=cli.number, help="total rps during a burst")
    reaction.add_argument(
        "--burst-duration-s", type=cli.number, metavar="S", help="how long the burst lasts"
    )
    reaction.add_argument(
        "--ramp-rps-per-s", type=cli.number, help="how fast the rate may climb (rps per s)"
    )
    reaction.add_argument(
        "--pod-start-s",
        type=cli.number,
        default=0.0,
        metavar="S",
        help="pod scheduling + image + container start",
    )
    reaction.add_argument(
        "--model-load-s", type=cli.number, default=0.0, metavar="S", help="model load until ready"
    )
    reaction.add_argument(
        "--polling-interval-s",
        type=cli.number,
        default=1.0,
        metavar="S",
        help="autoscaler polling interval (default 1)",
    )
    reaction.add_argument(
        "--scale-up-delay-s",
        type=cli.number,
        default=inference_router.SCALE_UP_DELAY_S,
        metavar="S",
        help="time a rise must persist before scale-up (default 1)",
    )


def _size_fit(p: argparse.ArgumentParser) -> None:
    fit = p.add_argument_group("node fit (azureml-fe never adds nodes)")
    fit.add_argument(
        "--node-pool",
        action="append",
        default=[],
        metavar="NAME:COUNT:CPU:MEMORY[:GPU]",
        help="free capacity per node, e.g. gpu:2:24:200Gi:1 (repeat per pool)",
    )
    fit.add_argument("--replica-cpu", help="cpu request per replica, e.g. 500m")
    fit.add_argument("--replica-memory", help="memory request per replica, e.g. 2Gi")
    fit.add_argument(
        "--replica-gpu", type=cli.integer, default=0, help="GPUs per replica (default 0)"
    )
    fit.add_argument(
        "--max-instances",
        type=cli.integer,
        help="replicas to place (default: the formula's or the recommended maxInstances, the larger)",
    )


def _simulate(p: argparse.ArgumentParser) -> None:
    _simulate_traffic(p)
    _simulate_deployment(p)
    run = p.add_argument_group("run")
    _goals(run)
    run.add_argument(
        "--router-overhead-ms",
        type=cli.number,
        default=inference_router.OVERHEAD_MEAN_MS,
        help="azureml-fe's own time per request (default 3: the documented mean)",
    )
    run.add_argument(
        "--chart", metavar="FILE.svg", help="write an SVG chart of load, replicas and latency"
    )
    run.add_argument("--format", choices=("text", "json"), default="text")


def _simulate_traffic(p: argparse.ArgumentParser) -> None:
    shapes = p.add_argument_group("traffic")
    shapes.add_argument(
        "--traffic",
        choices=("constant", "poisson", "step", "ramp", "sinusoid", "csv"),
        default="poisson",
        help="constant: evenly spaced; the others are Poisson (default poisson)",
    )
    shapes.add_argument(
        "--rps",
        type=cli.number,
        help="rate (constant, poisson), rate before the step or ramp, mean of the sinusoid",
    )
    shapes.add_argument("--step-rps", type=cli.number, help="step: rate after the step")
    shapes.add_argument("--step-at-s", type=cli.number, metavar="S", help="step: when it happens")
    shapes.add_argument("--ramp-to-rps", type=cli.number, help="ramp: rate at its end")
    shapes.add_argument("--ramp-start-s", type=cli.number, metavar="S", help="ramp: start")
    shapes.add_argument("--ramp-end-s", type=cli.number, metavar="S", help="ramp: end")
    shapes.add_argument(
        "--amplitude-rps", type=cli.number, help="sinusoid: swing around --rps (lowest at t=0)"
    )
    shapes.add_argument(
        "--period-s",
        type=cli.number,
        default=86400.0,
        metavar="S",
        help="sinusoid: period (default a day)",
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
        "--duration-s",
        type=cli.number,
        metavar="S",
        help="simulated time (default 3600, or the whole csv)",
    )


def _simulate_deployment(p: argparse.ArgumentParser) -> None:
    model = p.add_argument_group("deployment")
    _deployment(model)
    model.add_argument("--service-distribution", choices=DISTRIBUTIONS, default="exponential")
    model.add_argument(
        "--service-cv",
        type=cli.number,
        default=1.0,
        help="lognormal: coefficient of variation (default 1)",
    )
    model.add_argument("--min-instances", type=cli.integer, default=endpoints.MIN_INSTANCES_DEFAULT)
    model.add_argument("--max-instances", type=cli.integer, default=endpoints.MAX_INSTANCES_DEFAULT)
    model.add_argument(
        "--polling-interval-s",
        type=cli.integer,
        default=endpoints.POLLING_INTERVAL_S_DEFAULT,
        metavar="S",
        help="autoscaler polling interval, whole seconds (default 1)",
    )
    model.add_argument(
        "--scale-up-delay-s",
        type=cli.number,
        default=inference_router.SCALE_UP_DELAY_S,
        metavar="S",
        help="default 1",
    )
    _controller(model)
    model.add_argument(
        "--initial-replicas",
        type=cli.integer,
        help="ready replicas at t=0 (default --min-instances)",
    )
