import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from router.cli import main
from router.scale import ScaleSettings

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


# Bounds on every input: huge rates, durations, slots and the like are refused up front.
BOUNDS = [
    (
        ["simulate", "--rps", "5e6", "--request-time", "0.1"],
        "router: error: --rps: must be at most 1,000,000",
    ),
    (
        ["simulate", "--rps", "1e5", "--request-time", "0.1", "--duration", "86400"],
        "router: error: --duration: poisson traffic would send about 8,640,000,000 requests",
    ),
    (
        ["simulate", "--rps", "5", "--request-time", "0.1", "--duration", "1e9"],
        "router: error: --duration: must be at most 604,800",
    ),
    (
        ["simulate", "--rps", "5", "--request-time", "0.1", "--max-instances", "2000000"],
        "router: error: --max-instances: max_instances x max_concurrent is 2,000,000",
    ),
    (
        ["simulate", "--rps", "5", "--request-time", "0.1", "--sampling", "sometimes"],
        "router: error: --sampling: invalid choice",
    ),
    (
        ["size", "--rps", "1e5", "--request-time", "100"],
        "router: error: --rps: rps x request time is 10,000,000 requests in flight",
    ),
    (
        ["size", "--rps", "5", "--request-time", "1", "--slo-latency-ms", "1000"],
        "router: error: --slo-latency-ms: must exceed 4,620.2 ms",
    ),
    (
        ["size", "--rps", "5", "--request-time", "1", "--headroom", "-1"],
        "router: error: --headroom: must be a number >= 0",
    ),
    (
        ["size", "--rps", "5", "--request-time", "1", "--slo-wait-ms", "100"]
        + ["--check-duration", "1e9"],
        "router: error: --check-duration: must be in (0, 604800] seconds",
    ),
]


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
    ]
    + BOUNDS,
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


def test_size_recommends_scale_settings_and_checks_them(capsys):
    argv = ["size", "--rps", "5000", "--request-time", "0.05", "--slo-wait-ms", "100"]
    assert main([*argv, "--format", "json", "--check-duration", "60"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["formulaReplicas"], out["sloReplicas"], out["routerInstances"]) == (358, 253, 3)
    assert out["scaleSettings"] == {
        "maxInstances": 365,
        "minInstances": 278,
        "pollingInterval": 1,
        "targetUtilizationPercentage": 89,
    }
    check = out["check"]
    assert check["designRps"] == 5500 and check["holds"] is True
    assert [goal["verdict"] for goal in check["goals"]] == ["holds"]
    assert out["notes"] == []
    assert main([*argv, "--check-duration", "60"]) == 0
    text = capsys.readouterr().out
    assert "minInstances 278, maxInstances 365, targetUtilizationPercentage 89" in text
    assert "wait goal 100 ms:" in text and "allowed 1.00%: holds" in text
    assert "these counts have no margin" in text


def test_size_with_a_latency_goal_and_no_check(capsys):
    argv = ["size", "--rps", "50", "--request-time", "0.2", "--slo-latency-ms", "1500"]
    assert main([*argv, "--no-check", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["latencyReplicas"] == 11 and out["scaleSettings"]["minInstances"] == 12
    assert "check" not in out


def test_size_flags_the_concurrency_semantics(capsys):
    argv = ["size", "--rps", "100", "--request-time", "0.2", "--max-concurrent", "4"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "note: --max-concurrent 4: each replica is modelled as 4 slots" in text
    assert "measured with 4 requests in flight on one replica" in text
    done = router("size", "--help")
    assert "measure --request-time with K requests in flight" in " ".join(done.stdout.split())


def test_size_notes_a_timeout_below_the_request_time():
    done = router("size", "--rps", "20", "--request-time", "10", "--format", "json")
    notes = json.loads(done.stdout)["notes"]
    assert any("request_timeout_ms 5000 is below" in note for note in notes)


def test_size_exits_1_when_the_check_misses(capsys, monkeypatch):
    # A recommendation that cannot hold (fewer replicas than requests in flight) must fail
    # the command, not print a green verdict.
    from router import capacity

    real = capacity.recommend_scale_settings

    def starved(*args, **kwargs):
        recommendation = real(*args, **kwargs)
        return dataclasses.replace(
            recommendation, settings=ScaleSettings(min_instances=200, max_instances=200)
        )

    monkeypatch.setattr(capacity, "recommend_scale_settings", starved)
    argv = ["size", "--rps", "5000", "--request-time", "0.05", "--slo-wait-ms", "100"]
    assert main([*argv, "--check-duration", "30"]) == 1
    assert "misses" in capsys.readouterr().out


def test_simulate_reports_intervals_flips_and_premium(capsys):
    argv = [
        "simulate",
        "--rps",
        "200",
        "--request-time",
        "0.1",
        "--min-instances",
        "29",
        "--max-instances",
        "60",
        "--duration",
        "600",
        "--slo-wait-ms",
        "50",
        "--sampling",
        "average",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "mean wait" in text and "95 % CI" in text and "p99 wait" in text
    assert "over the formula at the offered load" in text
    assert "average sampling:" in text and "flips (" in text
    assert main([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["controller"]["sampling"] == "average"
    assert set(out["waitP99Ms"]) == {"value", "low", "high"}
    assert out["sloWait"]["fraction"]["high"] is not None
    assert out["replicaPremium"] > 0 and out["flipsPerHour"] > 0
