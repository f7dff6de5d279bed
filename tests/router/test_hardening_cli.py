"""The router CLI on hostile input: options and CSV traffic take ASCII numbers only (no "1_000",
no other scripts' digits, no nan, inf or booleans), finite, within bounds and not denormal; the CSV
is read by the bounded reader (a FIFO or /dev/zero refused at once, non-UTF-8 named); every case is
exit 2 (or 64 for a bad option) with one line naming the option or the file's line."""

import pytest

from common import cli
from router.cli import main

SIMULATE = ["simulate", "--rps", "5", "--request-time-ms", "100", "--duration-s", "60"]


def run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.run(main, list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "extra,fragment",
    [
        (["--rps", "1_0"], "--rps: invalid float value: '1_0'"),
        (["--rps", "١٢"], "--rps: invalid float value: '١٢'"),
        (["--rps", "nan"], "--rps: invalid float value: 'nan'"),
        (["--start-delay-s", "inf"], "--start-delay-s: invalid float value: 'inf'"),
        (["--max-concurrent", "true"], "--max-concurrent: invalid int value: 'true'"),
        (["--seed", "1e3"], "--seed: invalid int value: '1e3'"),
        (["--polling-interval-s", "٣"], "--polling-interval-s: invalid int value"),
    ],
)
def test_options_take_ascii_numbers_only(capsys, extra, fragment):
    code, err = run(capsys, *SIMULATE, *extra)
    assert code == cli.USAGE and fragment in err and "Traceback" not in err


@pytest.mark.parametrize(
    "extra,fragment",
    [
        (["--start-delay-s", "1e308"], "--start-delay-s: must be at most 604,800 s (got 1e+308)"),
        (["--scale-down-delay-s", "1e308"], "--scale-down-delay-s: must be at most"),
        (["--duration-s", "1e308"], "--duration-s: must be at most 604,800 s (got 1e+308)"),
        (["--start-delay-s", "5e-324"], "--start-delay-s: must be 0 or at least 1e-06 s"),
        (["--duration-s", "5e-324"], "--duration-s: must be at least 1e-06 s"),
        (["--scale-up-delay-s", "1e-310"], "--scale-up-delay-s: must be 0 or at least 1e-06 s"),
        (["--request-time-ms", "5e-324"], "--request-time-ms: must be"),
        (["--wait-goal-ms", "5e-324"], "--wait-goal-ms: must be"),
        (["--router-overhead-ms", "1e308"], "--router-overhead-ms: must be at most"),
    ],
)
def test_denormal_and_huge_delays_and_durations_are_invalid(capsys, extra, fragment):
    code, err = run(capsys, *SIMULATE, *extra)
    assert code == 2 and fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_size_refuses_a_denormal_request_time(capsys):
    code, err = run(
        capsys, "size", "--rps", "5", "--request-time-ms", "5e-324", "--wait-goal-ms", "50"
    )
    assert code == 2 and "--request-time-ms: must be at least 1e-06 ms" in err


@pytest.mark.parametrize(
    "content,kind,fragment",
    [
        (b"time\n0.1\n0.2,3\n", "times", ":3: expected one arrival time per row"),
        (b"rate\n1\n2,3,4\n", "rates", ":3: expected 'rate' or 'second,rate'"),
        (b"0.1\n1_000\n", "times", ":2: expected numbers, got '1_000'"),
        ("0.1\n١٢\n".encode(), "times", ":2: expected numbers, got '١٢'"),
        ("0.1\n１２\n".encode(), "times", ":2: expected numbers"),
        (b"0.1\ntrue\n", "times", ":2: expected numbers, got 'true'"),
        (b"0.1\nnan\n", "times", ":2: expected numbers, got 'nan'"),
        (b"0.1\n1e308\n", "times", ":2: values must be at most 1,000,000"),
        (b"0.1\n5e-324\n", "times", ":2: values must be 0 or at least 1e-06"),
        (b"1\n1e308\n", "rates", ":2: values must be at most 1,000,000"),
        (b"0.1\n\xff\n", "times", "not UTF-8 (byte 4); save it as UTF-8"),
    ],
)
def test_bad_csv_traffic_names_the_line(capsys, tmp_path, content, kind, fragment):
    path = tmp_path / "traffic.csv"
    path.write_bytes(content)
    code, err = run(
        capsys, "simulate", "--traffic", "csv", "--csv", str(path), "--csv-kind", kind,
        "--request-time-ms", "100",
    )  # fmt: skip
    assert code == 2 and fragment in err and "Traceback" not in err
    assert err.startswith("router: error: --csv: ")


def test_a_fifo_or_a_device_as_csv_is_refused_at_once(capsys, tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # no writer: reading it would block forever
    for path in (str(fifo), "/dev/zero", str(tmp_path)):
        code, err = run(
            capsys, "simulate", "--traffic", "csv", "--csv", path, "--request-time-ms", "100"
        )
        assert code == 2 and "cannot read: not a regular file" in err, path
