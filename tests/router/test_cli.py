import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from common import cli
from router.cli import main
from router.scale import ScaleSettings

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str]) -> int:
    """The command as `python -m router` runs it: the exit-code contract included."""
    return cli.run(main, argv)


def router(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "router", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_size_answers_the_docs_example_with_286(capsys):
    assert run(["size", "--rps", "20", "--request-time-ms", "10000", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["formulaReplicas"], out["waitGoalReplicas"], out["routerInstances"]) == (
        286,
        None,
        3,
    )
    assert list(out) == sorted(out)


def test_size_with_a_wait_goal(capsys):
    argv = ["size", "--rps", "20", "--request-time-ms", "10000", "--wait-goal-ms", "1000"]
    assert run([*argv, "--no-check", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["formulaReplicas"], out["waitGoalReplicas"]) == (286, 222)


def test_size_text_with_bursts_ramps_and_nodes(capsys):
    argv = ["size", "--rps", "1", "--request-time-ms", "1000", "--wait-goal-ms", "500"]
    argv += ["--burst-rps", "5", "--burst-duration-s", "20", "--pod-start-s", "30"]
    argv += ["--model-load-s", "30", "--ramp-rps-per-s", "0.1", "--node-pool", "cpu:2:1900m:6Gi"]
    argv += ["--replica-cpu", "500m", "--replica-memory", "1Gi", "--max-instances", "8"]
    assert run(argv) == 0
    text = capsys.readouterr().out
    assert "2 replicas" in text and "4 replicas" in text
    assert "at most 61 s" in text and "6 of 8 replicas fit; 2 would stay Pending" in text
    # Counts at exactly the rate are not compared with the settings that carry headroom.
    assert "over-provisions" not in text and "misses this goal" not in text


# Bounds on every input: huge rates, durations, slots and the like are refused up front.
BOUNDS = [
    (
        ["simulate", "--rps", "5e6", "--request-time-ms", "100"],
        "router: error: --rps: must be at most 1,000,000",
    ),
    (
        ["simulate", "--rps", "1e5", "--request-time-ms", "100", "--duration-s", "86400"],
        "router: error: --duration-s: poisson traffic would send about 8,640,000,000 requests",
    ),
    (
        ["simulate", "--rps", "5", "--request-time-ms", "100", "--duration-s", "1e9"],
        "router: error: --duration-s: must be at most 604,800",
    ),
    (
        ["simulate", "--rps", "5", "--request-time-ms", "100", "--max-instances", "2000000"],
        "router: error: --max-instances: maxInstances x maxConcurrentRequestsPerInstance is",
    ),
    (
        ["simulate", "--rps", "5", "--request-time-ms", "100", "--scale-down-delay-s", "1e308"],
        "router: error: --scale-down-delay-s: must be at most 604,800",
    ),
    (
        ["size", "--rps", "1e5", "--request-time-ms", "100000"],
        "router: error: --rps: rps x request time is 10,000,000 requests in flight",
    ),
    (
        ["size", "--rps", "5", "--request-time-ms", "1000", "--latency-goal-ms", "1000"],
        "router: error: --latency-goal-ms: must exceed 4,620.2 ms",
    ),
    (
        ["size", "--rps", "5", "--request-time-ms", "1000", "--headroom", "-1"],
        "router: error: --headroom: must be a number >= 0",
    ),
    (
        ["size", "--rps", "5", "--request-time-ms", "1000", "--wait-goal-ms", "100"]
        + ["--check-duration-s", "1e9"],
        "router: error: --check-duration-s: must be in (0, 604800] seconds",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["size", "--rps", "-3", "--request-time-ms", "10"],
            "router: error: --rps: must be a number > 0 (got -3)",
        ),
        (
            [
                "size",
                "--rps",
                "5",
                "--request-time-ms",
                "1000",
                "--target-utilization-percentage",
                "0",
            ],
            "router: error: --target-utilization-percentage: must be a whole number >= 1",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--wait-goal-ms", "10"],
            "router: error: --wait-goal-ms: must exceed azureml-fe's own p99 overhead",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--wait-goal-ms", "100"]
            + ["--wait-percentile", "100"],
            "router: error: --wait-percentile:",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--burst-rps", "9"],
            "router: error: --burst-duration-s: required with --burst-rps",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--node-pool", "a:b"]
            + ["--replica-cpu", "1", "--replica-memory", "1Gi"],
            "router: error: --node-pool: expected NAME:COUNT:CPU:MEMORY[:GPU]",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--node-pool", "a:١:1:1Gi"]
            + ["--replica-cpu", "1", "--replica-memory", "1Gi"],
            "router: error: --node-pool: expected NAME:COUNT:CPU:MEMORY[:GPU]",
        ),
        (
            ["size", "--rps", "5", "--request-time-ms", "1000", "--node-pool", "a:1:1:1Gi"]
            + ["--replica-cpu", "1", "--replica-memory", "lots"],
            "router: error: --replica-memory: must be memory like",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--max-instances", "0"],
            "router: error: --max-instances: must be >= 1 (got 0)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--min-instances", "3"],
            "router: error: --max-instances: must be >= minInstances (3)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--max-concurrent", "0"],
            "router: error: --max-concurrent: must be >= 1 (got 0)",
        ),
        (
            ["simulate", "--traffic", "step", "--rps", "5", "--request-time-ms", "100"],
            "router: error: --step-rps: required with --traffic step",
        ),
        (
            ["simulate", "--traffic", "ramp", "--rps", "5", "--ramp-to-rps", "9"]
            + ["--ramp-start-s", "9", "--ramp-end-s", "1", "--request-time-ms", "1000"],
            "router: error: --ramp-end-s: must be after ramp_start_s",
        ),
        (
            ["simulate", "--traffic", "csv", "--request-time-ms", "100"],
            "router: error: --csv: required with --traffic csv",
        ),
        (
            ["simulate", "--traffic", "csv", "--csv", "/no/such.csv", "--request-time-ms", "100"],
            "router: error: --csv: /no/such.csv: cannot read",
        ),
        (
            ["simulate", "--traffic", "csv", "--csv", "/dev/zero", "--request-time-ms", "100"],
            "router: error: --csv: /dev/zero: cannot read: not a regular file",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--start-delay-s", "-1"],
            "router: error: --start-delay-s: must be a number s >= 0",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--duration-s", "0"],
            "router: error: --duration-s: must be a number s > 0 (got 0)",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--chart", "out.png"],
            "router: error: --chart: the chart is SVG",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--chart", "/no/such/dir/c.svg"],
            "router: error: --chart: cannot write",
        ),
    ]
    + BOUNDS,
)
def test_invalid_input_is_one_line_and_exit_2(capsys, argv, message):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ([], "the following arguments are required"),
        (["size", "--rps", "x", "--request-time-ms", "10"], "--rps: invalid float value: 'x'"),
        (["size", "--rps", "5"], "the following arguments are required: --request-time-ms"),
        (
            ["size", "--rps", "5", "--request-time-ms", "1", "--request-time", "1"],
            "--request-time: did you mean --request-time-ms?",
        ),
        (
            ["simulate", "--rps", "5", "--request-time-ms", "100", "--sampling", "sometimes"],
            "--sampling: invalid choice",
        ),
    ],
)
def test_a_bad_command_line_exits_64(capsys, argv, fragment):
    assert run(argv) == 64
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


@pytest.mark.process
def test_no_traceback_from_the_command_line():
    done = router("simulate", "--rps", "-1", "--request-time-ms", "100")
    assert done.returncode == 2
    assert done.stderr == "router: error: --rps: must be a number > 0 (got -1)\n"
    assert done.stdout == ""
    assert router("size", "--rps").returncode == 64


def test_a_request_time_that_looks_like_seconds_is_noted(capsys):
    assert run(["size", "--rps", "20", "--request-time-ms", "0.12", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("the unit is milliseconds" in note and "120" in note for note in notes)
    assert run(["size", "--rps", "20", "--request-time-ms", "120", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert not any("the unit is milliseconds" in note for note in notes)


@pytest.mark.process
def test_simulate_json_is_deterministic_and_charts(tmp_path):
    args = ["simulate", "--traffic", "ramp", "--rps", "10", "--ramp-to-rps", "60"]
    args += ["--ramp-start-s", "60", "--ramp-end-s", "240", "--duration-s", "600"]
    args += ["--request-time-ms", "200", "--min-instances", "2", "--max-instances", "30"]
    args += ["--latency-goal-ms", "1000", "--seed", "3", "--format", "json"]
    first = router(*args, "--chart", str(tmp_path / "a.svg"))
    second = router(*args, "--chart", str(tmp_path / "b.svg"))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    ElementTree.parse(tmp_path / "a.svg")
    out = json.loads(first.stdout)
    assert out["traffic"]["shape"] == "ramp" and out["scaleEvents"] > 0
    assert out["latencyGoal"]["goalMs"] == 1000
    assert len(out["series"]["timeS"]) == len(out["series"]["readyMax"])


def test_size_draws_the_chart_of_its_check(tmp_path, capsys):
    chart = tmp_path / "size.svg"
    argv = ["size", "--rps", "200", "--request-time-ms", "100", "--wait-goal-ms", "50"]
    assert run([*argv, "--check-duration-s", "120", "--chart", str(chart)]) == 0
    assert f"Chart: {chart}" in capsys.readouterr().out
    texts = [t.text for t in ElementTree.parse(chart).iter("{http://www.w3.org/2000/svg}text")]
    assert "wait goal 50 ms" in texts and "p99 queue wait" in texts
    # Without a goal there is nothing to check, but the chart still shows the settings at work.
    plain = tmp_path / "plain.svg"
    assert run(["size", "--rps", "200", "--request-time-ms", "100", "--chart", str(plain)]) == 0
    ElementTree.parse(plain)


def test_simulate_text_from_a_csv_of_rates(tmp_path, capsys):
    rates = tmp_path / "rates.csv"
    rates.write_text("".join(f"{5 if s < 30 else 40}\n" for s in range(120)))
    argv = ["simulate", "--traffic", "csv", "--csv", str(rates), "--csv-kind", "rates"]
    argv += ["--request-time-ms", "100", "--max-instances", "10", "--wait-goal-ms", "50"]
    assert run(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("Simulated 120 s of csv-rates traffic") and "wait goal" in text


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ("1\n1_000\n", "expected numbers"),
        ("1\n١\n", "expected numbers"),
        ("1\n２\n", "expected numbers"),
        ("time\n1,2\n", "expected one arrival time per row"),
    ],
)
def test_csv_numbers_are_ascii_and_rows_are_what_they_say(tmp_path, capsys, rows, fragment):
    path = tmp_path / "t.csv"
    path.write_text(rows, encoding="utf-8")
    argv = ["simulate", "--traffic", "csv", "--csv", str(path), "--request-time-ms", "100"]
    assert run(argv) == 2
    assert fragment in capsys.readouterr().err


def test_size_recommends_scale_settings_and_checks_them(capsys):
    argv = ["size", "--rps", "5000", "--request-time-ms", "50", "--wait-goal-ms", "100"]
    assert run([*argv, "--format", "json", "--check-duration-s", "3600"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["formulaReplicas"], out["waitGoalReplicas"], out["routerInstances"]) == (
        358,
        253,
        3,
    )
    assert out["scaleSettings"] == {
        "maxInstances": 365,
        "minInstances": 278,
        "pollingIntervalS": 1,
        "targetUtilizationPercentage": 89,
    }
    assert out["requestSettings"] == {
        "maxConcurrentRequestsPerInstance": 1,
        "requestTimeoutMs": 5000,
    }
    check = out["check"]
    assert check["designRps"] == 5500 and check["holds"] is True
    assert [goal["verdict"] for goal in check["goals"]] == ["holds"]
    assert out["notes"] == []
    assert run([*argv, "--check-duration-s", "3600"]) == 0
    text = capsys.readouterr().out
    assert (
        "scaleSettings: {minInstances: 278, maxInstances: 365, targetUtilizationPercentage: 89"
        in text
    )
    assert "wait goal 100 ms:" in text and "allowed 1.00%: holds" in text
    assert "these counts have no margin" in text


def test_size_with_a_latency_goal_and_no_check(capsys):
    argv = ["size", "--rps", "50", "--request-time-ms", "200", "--latency-goal-ms", "1500"]
    assert run([*argv, "--no-check", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["latencyGoalReplicas"] == 11 and out["scaleSettings"]["minInstances"] == 12
    assert "check" not in out


@pytest.mark.process
def test_size_flags_the_concurrency_semantics(capsys):
    argv = ["size", "--rps", "100", "--request-time-ms", "200", "--max-concurrent", "4"]
    assert run(argv) == 0
    text = capsys.readouterr().out
    assert "note: --max-concurrent 4: each replica is modelled as 4 slots" in text
    assert "measured with 4 requests in flight on one replica" in text
    done = router("size", "--help")
    assert "measure --request-time-ms with K requests in flight" in " ".join(done.stdout.split())


def test_size_notes_a_timeout_below_the_request_time(capsys):
    assert run(["size", "--rps", "20", "--request-time-ms", "10000", "--format", "json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("requestTimeoutMs 5000 is below" in note for note in notes)


def test_size_exits_1_when_the_check_misses(capsys, monkeypatch):
    # A recommendation that cannot hold (fewer replicas than requests in flight) must fail
    # the command, not print a green verdict.
    from router import sizing

    real = sizing.recommend_scale_settings

    def starved(*args, **kwargs):
        recommendation = real(*args, **kwargs)
        return dataclasses.replace(
            recommendation, settings=ScaleSettings(min_instances=200, max_instances=200)
        )

    monkeypatch.setattr(sizing, "recommend_scale_settings", starved)
    argv = ["size", "--rps", "5000", "--request-time-ms", "50", "--wait-goal-ms", "100"]
    assert run([*argv, "--check-duration-s", "30"]) == 1
    assert "misses" in capsys.readouterr().out


def test_simulate_reports_intervals_flips_and_premium(capsys):
    argv = ["simulate", "--rps", "200", "--request-time-ms", "100", "--min-instances", "29"]
    argv += ["--max-instances", "60", "--duration-s", "600", "--wait-goal-ms", "50"]
    argv += ["--sampling", "average"]
    assert run(argv) == 0
    text = capsys.readouterr().out
    assert "mean wait" in text and "95 % CI" in text and "p99 wait" in text
    assert "over the formula at the offered load" in text
    assert "average sampling:" in text and "flips (" in text
    assert run([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["controller"]["sampling"] == "average"
    assert set(out["waitP99Ms"]) == {"value", "low", "high"}
    assert out["waitGoal"]["fraction"]["high"] is not None
    assert out["replicaPremium"] > 0 and out["flipsPerHour"] > 0
