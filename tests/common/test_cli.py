"""common.cli in-process: the parser (64, did-you-mean, help through the sink), the sink (74 on a
full disk or a closed stdout, 141 on a broken pipe), `run` (exit codes, cleanups, handlers put
back), and the ASCII number types."""

import argparse
import errno
import io
import signal

import pytest

from common import cli


class Failing(io.StringIO):
    """A stdout whose writes fail as the given OSError (or ValueError: a closed file)."""

    def __init__(self, error: Exception):
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        if text:
            raise self.error
        return 0

    def flush(self) -> None:
        if isinstance(self.error, ValueError):
            raise self.error


@pytest.mark.parametrize(
    "error,code",
    [
        (OSError(errno.ENOSPC, "No space left on device"), cli.OUTPUT_FAILED),
        (OSError(errno.EIO, "Input/output error"), cli.OUTPUT_FAILED),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), cli.BROKEN_PIPE),
        (ValueError("I/O operation on closed file."), cli.OUTPUT_FAILED),
    ],
)
def test_write_failures_become_output_errors(error, code):
    with pytest.raises(cli.OutputError) as caught:
        cli.write("x" * 100_000, Failing(error))
    assert caught.value.code == code


def test_a_closed_stdout_is_an_output_error(monkeypatch):
    monkeypatch.setattr("sys.stdout", None)
    with pytest.raises(cli.OutputError, match="standard output is closed") as caught:
        cli.write("x")
    assert caught.value.code == 74


def test_exit_codes_are_distinct_and_documented():
    assert (cli.USAGE, cli.OUTPUT_FAILED, cli.BROKEN_PIPE, cli.INTERRUPTED) == (64, 74, 141, 130)
    assert {cli.USAGE, cli.OUTPUT_FAILED, cli.BROKEN_PIPE, cli.INTERRUPTED} <= set(cli.EXIT_CODES)
    assert 1 not in cli.EXIT_CODES  # 1 is a policy violation, never a crash


def _parser() -> cli.Parser:
    parser = cli.Parser(prog="tool")
    sub = cli.subcommands(parser, dest="command")
    run = sub.add_parser("run")
    run.add_argument("--request-time-ms", type=cli.number)
    run.add_argument("--count", type=cli.integer)
    return parser


def test_a_bad_command_line_is_a_usage_error_with_a_hint():
    with pytest.raises(cli.UsageError, match="--request-time: did you mean --request-time-ms"):
        _parser().parse_args(["run", "--request-time", "3"])  # no abbreviations either
    with pytest.raises(cli.UsageError, match="invalid choice"):
        _parser().parse_args(["walk"])


def test_run_maps_every_ending_to_its_code():
    def usage(argv):
        return _parser().parse_args(["nope"]) and 0

    def interrupted(argv):
        raise KeyboardInterrupt

    def full(argv):
        raise cli.OutputError(cli.OUTPUT_FAILED, "cannot write the output: full")

    assert cli.run(usage, []) == 64
    assert cli.run(interrupted, []) == 130
    assert cli.run(full, []) == 74
    assert cli.run(lambda argv: 3, []) == 3


def test_help_goes_through_the_sink(monkeypatch, capsys):
    with pytest.raises(SystemExit) as done:  # written and flushed, then argparse's exit 0
        cli.run(lambda argv: _parser().parse_args(["--help"]) and 0, [])
    assert done.value.code == 0 and "usage: tool" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdout", Failing(OSError(errno.ENOSPC, "No space left on device")))
    assert cli.run(lambda argv: _parser().parse_args(["--help"]) and 0, []) == 74


def test_cleanups_run_last_first_and_once_and_can_be_cancelled():
    ran: list[str] = []

    def main(argv):
        cli.on_exit(lambda: ran.append("first"))
        cli.on_exit(lambda: ran.append("second"))
        cancelled = cli.on_exit(lambda: ran.append("cancelled"))
        cli.cancel_on_exit(cancelled)
        cli.on_exit(lambda: 1 / 0)  # a failing cleanup does not stop the others
        return 0

    assert cli.run(main, []) == 0
    assert ran == ["second", "first"]
    assert cli.run(lambda argv: 0, []) == 0 and ran == ["second", "first"]


def test_run_puts_the_signal_handlers_back():
    before = {s: signal.getsignal(s) for s in cli.HANDLED_SIGNALS}
    during = {}

    def main(argv):
        during.update({s: signal.getsignal(s) for s in cli.HANDLED_SIGNALS})
        return 0

    cli.run(main, [])
    assert set(during.values()) == {cli._on_signal}
    assert {s: signal.getsignal(s) for s in cli.HANDLED_SIGNALS} == before


@pytest.mark.parametrize("text,value", [("12", 12.0), (" -0.5 ", -0.5), ("1e3", 1000.0)])
def test_ascii_numbers(text, value):
    assert cli.number(text) == value


@pytest.mark.parametrize(
    "text", ["1_000", "١٢", "１２", "nan", "inf", "-Infinity", "0x10", "", "true"]
)
def test_what_float_reads_but_a_number_option_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match="invalid float value"):
        cli.number(text)


@pytest.mark.parametrize("text", ["1e3", "1.0", "1_0", "٣", "true", "9" * 40])
def test_what_int_reads_but_a_count_option_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match="invalid int value"):
        cli.integer(text)


def test_a_bad_number_option_is_a_usage_error():
    with pytest.raises(cli.UsageError, match="--request-time-ms: invalid float value: '1_000'"):
        _parser().parse_args(["run", "--request-time-ms", "1_000"])
    assert _parser().parse_args(["run", "--count", "7"]).count == 7
