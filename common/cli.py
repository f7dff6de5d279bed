"""One way to run a command line: its parser, its output, its signals and its exit codes.

Every CLI of the project (`python -m preflight`, `router`, `catalog`, `stacks.migrate_v1`,
`stacks.settings.schema`, scripts/plandiff.py, scripts/policypack.py) runs its `main` through
`run`, so they all:
- exit 64 on a bad command line (sysexits EX_USAGE), with one line naming the problem;
- exit 74 (EX_IOERR) when their output cannot be written (a full disk, a closed stdout), and
  141 (128 + SIGPIPE, as Unix tools report it) when the reader of a pipe went away, without a
  traceback: never 1, which means a policy violation to CI. Help text goes the same way;
- exit 130 on Ctrl-C (SIGINT) and 128 + N on SIGTERM, SIGHUP and SIGQUIT, after running the
  cleanups registered with `on_exit` (child processes, temporary worktrees), again without a
  traceback, and whatever the command was doing (a thread waiting on a child included).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

from common import files

OK = 0
USAGE = 64
OUTPUT_FAILED = 74
BROKEN_PIPE = 128 + signal.SIGPIPE
INTERRUPTED = 128 + signal.SIGINT
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# The documented table (docs/preflight.md); each command adds its own 1 to 4.
EXIT_CODES = {
    OK: "done",
    USAGE: "a bad command line",
    OUTPUT_FAILED: "the output could not be written (a full disk, a closed stdout)",
    BROKEN_PIPE: "the reader of the output went away (a broken pipe)",
    INTERRUPTED: "interrupted (Ctrl-C)",
    128 + signal.SIGHUP: "ended by SIGHUP",
    128 + signal.SIGQUIT: "ended by SIGQUIT",
    128 + signal.SIGTERM: "ended by SIGTERM",
}

_cleanups: list[Callable[[], None]] = []
# Re-entrant: a signal handler runs in the main thread, which may hold the lock at that moment.
_lock = threading.RLock()


class UsageError(Exception):
    """A bad command line; the message is the one line to print."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as UsageError (exit 64), never exit 2, takes no
    abbreviated options (`--request-time` must not silently mean `--request-time-ms`), and
    prints its help through the output sink (a full disk is 74 there too)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            known = sorted(_option_strings(self))
            hints = []
            for word in message[len(prefix) :].split():
                name = word.split("=", 1)[0]
                close = difflib.get_close_matches(name, known, n=1) if name.startswith("--") else []
                if close:
                    hints.append(f"{name}: did you mean {close[0]}?")
            message += "".join(f"; {hint}" for hint in hints)
        raise UsageError(f"{self.prog}: error: {message}")

    def _print_message(self, message: str, file=None) -> None:
        if not message:
            return
        if file is None or file is sys.stdout:
            write(message)
        else:
            warn(message)


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option of a parser and of its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def subcommands(parser: argparse.ArgumentParser, **kwargs) -> argparse._SubParsersAction:
    """Subcommands whose parsers are `Parser`s too."""
    return parser.add_subparsers(required=True, parser_class=Parser, **kwargs)


def number(text: str) -> float:
    """An argparse type: a finite decimal number in ASCII ("12", "0.5", "1e3"), never "1_000",
    "nan", "inf" or other scripts' digits, which float() reads."""
    value = files.ascii_number(text)
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(
            f"invalid float value: {text!r} (a number in ASCII digits, such as 12.5)"
        )
    return value


def integer(text: str) -> int:
    """An argparse type: a whole number in ASCII digits."""
    value = files.ascii_integer(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"invalid int value: {text!r} (a whole number in ASCII digits)"
        )
    return value


class OutputError(Exception):
    """Output could not be written; `code` is the exit code to end with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def write(text: str, stream: TextIO | None = None) -> None:
    """Write and flush `text` to stdout (or `stream`); a failure becomes OutputError."""
    target = sys.stdout if stream is None else stream
    try:
        if target is None:
            raise OSError(errno.EBADF, "standard output is closed")
        target.write(text)
        target.flush()
    except BrokenPipeError:
        raise OutputError(BROKEN_PIPE, "the reader of the output went away") from None
    except (OSError, ValueError, AttributeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise OutputError(OUTPUT_FAILED, f"cannot write the output: {reason}") from None


def warn(text: str) -> None:
    """A line for stderr; when even stderr is gone there is nobody left to tell."""
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.write(text if text.endswith("\n") else text + "\n")
            sys.stderr.flush()


def on_exit(cleanup: Callable[[], None]) -> Callable[[], None]:
    """Run `cleanup` when the command ends, however it ends (signals included)."""
    with _lock:
        _cleanups.append(cleanup)
    return cleanup


def cancel_on_exit(cleanup: Callable[[], None]) -> None:
    with _lock, contextlib.suppress(ValueError):
        _cleanups.remove(cleanup)


def _clean_up() -> None:
    with _lock:
        pending = list(reversed(_cleanups))
        _cleanups.clear()
    for cleanup in pending:
        with contextlib.suppress(Exception):
            cleanup()


def _reserve_standard_fds() -> None:
    """A standard stream that is closed (`>&-`) keeps its number taken by /dev/null, so that no
    pipe or file opened later becomes "stdout" by accident. sys.stdout stays None: writing to it
    is still an error (74)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                opened = os.open(os.devnull, os.O_RDWR)
                if opened != fd:
                    os.dup2(opened, fd)
                    os.close(opened)


def _quiet_streams() -> None:
    """After a broken pipe or a closed stdout, Python's own flush at exit would print a
    traceback: point stdout at /dev/null first."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    with contextlib.suppress(Exception):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


def _on_signal(signum: int, _frame) -> None:
    # A second signal must not cut the cleanup short: it is bounded, and SIGKILL still works.
    for other in HANDLED_SIGNALS:
        with contextlib.suppress(Exception):
            signal.signal(other, signal.SIG_IGN)
    if signum == signal.SIGINT:
        warn("interrupted")
    _clean_up()
    _quiet_streams()
    os._exit(128 + signum)


def install_signal_handlers() -> dict[int, Any]:
    """SIGINT, SIGTERM, SIGHUP, SIGQUIT: clean up and exit 128 + N. Returns the handlers they
    replace (none outside the main thread, where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _on_signal) for signum in HANDLED_SIGNALS}


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        with contextlib.suppress(Exception):
            signal.signal(signum, handler)


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a command's `main(argv) -> exit code` with the project's exit-code contract."""
    _reserve_standard_fds()
    previous = install_signal_handlers()
    try:
        code = main(argv)  # argparse's --help exits here, its text already written and flushed
        if sys.stdout is not None:
            write("")  # a full disk shows at the last flush (nothing written: nothing to fail)
        return code
    except UsageError as err:
        warn(str(err))
        return USAGE
    except OutputError as err:
        if err.code != BROKEN_PIPE:
            warn(str(err))
        return err.code
    except KeyboardInterrupt:  # only when the handler could not be installed (not main thread)
        warn("interrupted")
        return INTERRUPTED
    finally:
        _clean_up()
        _restore(previous)


def exit_with(main: Callable[[list[str] | None], int]) -> NoReturn:
    """`raise SystemExit(run(main))` for a module's `if __name__ == "__main__"`."""
    code = run(main)
    if code in (OUTPUT_FAILED, BROKEN_PIPE):
        _quiet_streams()  # what is left in stdout's buffer must not fail again at exit
    sys.exit(code)


def _entry_point() -> bool:
    """Whether this process runs one of the project's own command lines (`python -m router`,
    scripts/plandiff.py, ...): not a test runner, not the Python prompt."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if not main:
        return False
    path = Path(main).resolve()
    project = Path(__file__).resolve().parents[1]
    return path.is_relative_to(project) and not path.is_relative_to(Path(sys.prefix).resolve())


# A command's own imports (numpy, the Pulumi SDK) take up to a second: the handlers go in as soon
# as its entry point imports this module, so Ctrl-C then is 130 without a traceback too, and a
# closed stdout's number is taken before those imports open any file.
if _entry_point():
    _reserve_standard_fds()
    install_signal_handlers()
