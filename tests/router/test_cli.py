import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from router.cli import main

ROOT = Path(__file__).resolve().parents[2]


def router(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "router", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_size_answers_the_docs_example_with_286():
    done = router("size", "--rps", "20", "--request-time", "10", "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["formulaReplicas"], out["sloReplicas"], out["routerInstances"]) == (286, None, 3)


def test_size_with_a_wait_goal(capsys):
    assert (
        main(
            [
                "size",
                "--rps",
                "20",
                "--request-time",
                "10",
                "--slo-wait-ms",
                "1000",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert (out["formulaReplicas"], out["sloReplicas"]) == (286, 222)
    assert list(out) == sorted(out)


def test_size_text_with_bursts_ramps_and_nodes(capsys):
    argv = [
        "size",
        "--rps",
        "1",
        "--request-time",
        "1",
        "--slo-wait-ms",
        "500",
        "--burst-rps",
        "5",
        "--burst-duration",
        "20",
        "--pod-start",
        "30",
        "--model-load",
        "30",
        "--ramp-rps-per-s",
        "0.1",
        "--node-pool",
        "cpu:2:1900m:6Gi",
        "--replica-cpu",
        "500m",
        "--replica-memory",
        "1Gi",
        "--max-instances",
        "8",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert (
        "2 replicas" in text
        and "4 replicas" in text
        and "the formula misses this goal: add 2 replicas" in text
    )
    assert "at most 61 s" in text and "6 of 8 replicas fit; 2 would stay Pending" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["size", "--rps", "-3", "--request-time", "10"],
            "router: error: --rps: must be a number > 0 (got -3)",
        ),
        (
            ["size", "--rps", "x", "--request-time", "10"],
            "router: error: --rps: invalid float value: 'x'",
        ),
        (
            ["size", "--rps", "5"],
            "router: error: the following arguments are required: --request-time",
        ),
        (
            ["size", "--rps", "5", "--request-time", "1", "--target-utilization", "70"],
            "router: error: --target-utilization: must be a fraction in (0, 1]",
        ),
        (
            ["size", "--rps", "5", "--request-time", "1", "--slo-wait-ms", "10"],
            "router: error: --slo-wait-ms: must exceed azureml-fe's own p99 overhead",
        ),
        (
            [
                "size",
                "--rps",
                "5",
                "--request-time",
                "1",
                "--slo-wait-ms",
                "100",
                "--slo-percentile",
                "100",
            ],
            "router: error: --slo-percentile:",
        ),
        (
            ["size", "--rps", "5", "--request-time", "1", "--burst-rps", "9"],
            "router: error: --burst-duration: required with --burst-rps",
        ),
        (
            [
                "size",
                "--rps",
                "5",
                "--request-time",
                "1",
                "--node-pool",
                "a:b",
                "--replica-cpu",
                "1",
                "--replica-memory",
                "1Gi",
            ],
            "router: error: --node-pool: expected NAME:COUNT:CPU:MEMORY[:GPU]",
        ),
        (
            [
                "size",
                "--rps",
                "5",
                "--request-time",
                "1",
                "--node-pool",
                "a:1:1:1Gi",
                "--replica-cpu",
                "1",
                "--replica-memory",
                "lots",
            ],
            "router: error: --replica-memory: must be memory like",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--max-instances", "0"],
            "router: error: --max-instances: must be >= 1 (got 0)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--min-instances", "3"],
            "router: error: --max-instances: must be >= min_instances (3)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--max-concurrent", "0"],
            "router: error: --max-concurrent: must be >= 1 (got 0)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--target-utilization", "0.705"],
            "router: error: --target-utilization: must be a whole percent",
        ),
        (
            ["simulate", "--traffic", "step", "--rps", "5", "--request-time", "0.1"],
            "router: error: --step-rps: required with --traffic step",
        ),
        (
            [
                "simulate",
                "--traffic",
                "ramp",
                "--rps",
                "5",
                "--ramp-to-rps",
                "9",
                "--ramp-start",
                "9",
                "--ramp-end",
                "1",
                "--request-time",
                "1",
            ],
            "router: error: --ramp-end: must be after ramp_start_s",
        ),
        (
            ["simulate", "--traffic", "csv", "--request-time", "0.1"],
            "router: error: --csv: required with --traffic csv",
        ),
        (
            ["simulate", "--traffic", "csv", "--csv", "/no/such.csv", "--request-time", "0.1"],
            "router: error: --csv: cannot read /no/such.csv",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--start-delay", "-1"],
            "router: error: --start-delay: must be a number of seconds >= 0",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--duration", "0"],
            "router: error: --duration: must be a number > 0 (got 0)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--chart", "out.png"],
            "router: error: --chart: the chart is SVG",
        ),
        (
            ["simulate", "--rps", "5", "--request-time", "0.1", "--chart", "/no/such/dir/c.svg"],
            "router: error: --chart: cannot write",
        ),
        ([], "router: error: choose a command: size or simulate"),
    ],
)
def test_invalid_input_is_one_line_and_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_no_traceback_from_the_command_line():
    done = router("simulate", "--rps", "-1", "--request-time", "0.1")
    assert done.returncode == 2
    assert (
        done.stderr == "router: error: --rps: must be a number > 0 (got -1)\n" and done.stdout == ""
    )


def test_simulate_json_is_deterministic_and_charts(tmp_path):
    args = [
        "simulate",
        "--traffic",
        "ramp",
        "--rps",
        "10",
        "--ramp-to-rps",
        "60",
        "--ramp-start",
        "60",
        "--ramp-end",
        "240",
        "--duration",
        "600",
        "--request-time",
        "0.2",
        "--min-instances",
        "2",
        "--max-instances",
        "30",
        "--slo-latency-ms",
        "1000",
        "--seed",
        "3",
        "--format",
        "json",
    ]
    first = router(*args, "--chart", str(tmp_path / "a.svg"))
    second = router(*args, "--chart", str(tmp_path / "b.svg"))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    ElementTree.parse(tmp_path / "a.svg")
    out = json.loads(first.stdout)
    assert (
        out["traffic"]["shape"] == "ramp"
        and out["scaleEvents"] > 0
        and out["sloLatency"]["goalMs"] == 1000
    )
    assert len(out["series"]["timeS"]) == len(out["series"]["readyMax"])


def test_simulate_text_from_a_csv_of_rates(tmp_path, capsys):
    rates = tmp_path / "rates.csv"
    rates.write_text("".join(f"{5 if s < 30 else 40}\n" for s in range(120)))
    assert (
        main(
            [
                "simulate",
                "--traffic",
                "csv",
                "--csv",
                str(rates),
                "--csv-kind",
                "rates",
                "--request-time",
                "0.1",
                "--max-instances",
                "10",
                "--slo-wait-ms",
                "50",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert text.startswith("Simulated 120 s of csv-rates traffic") and "wait goal" in text
