"""One way to run a command line: its parser, its output, its signals and its exit codes.

Every CLI of the project (`python -m preflight`, `router`, `catalog`, `stacks.migrate_v1`,
`stacks.settings.schema`, scripts/plandiff.py) runs its `main` through `run`, so they all:
- exit 64 on a bad command line (sysexits EX_USAGE), with one line naming the problem;
- exit 74 (EX_IOERR) when their output cannot be written (a full disk, a closed stdout), and
  141 (128 + SIGPIPE, as Unix tools report it) when the reader of a pipe went away, without a
  traceback: never 1, which means a policy violation to CI;
- exit 130 on Ctrl-C and 128 + N on SIGTERM, SIGHUP and SIGQUIT, after running the cleanups
  registered with `on_exit` (child processes, temporary worktrees), again without a traceback.
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
from typing import NoReturn, TextIO

USAGE = 64
OUTPUT_FAILED = 74
BROKEN_PIPE = 128 + signal.SIGPIPE
INTERRUPTED = 128 + signal.SIGINT
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

_cleanups: list[Callable[[], None]] = []
_lock = threading.Lock()


class UsageError(Exception):
    """A bad command line; the message is the one line to print."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as UsageError (exit 64), never exit 2, and takes
    no abbreviated options: `--request-time` must not silently mean `--request-time-ms`."""

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
    _clean_up()
    _quiet_streams()
    os._exit(128 + signum)


def install_signal_handlers() -> None:
    """SIGTERM, SIGHUP, SIGQUIT: clean up and exit 128 + N (SIGINT is KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, _on_signal)


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """Run a command's `main(argv) -> exit code` with the project's exit-code contract."""
    install_signal_handlers()
    try:
        code = main(argv)
        write("")  # a closed or full stdout shows at the last flush
        return code
    except UsageError as err:
        warn(str(err))
        return USAGE
    except OutputError as err:
        _quiet_streams()
        if err.code != BROKEN_PIPE:
            warn(str(err))
        return err.code
    except KeyboardInterrupt:
        warn("interrupted")
        return INTERRUPTED
    finally:
        _clean_up()


def exit_with(main: Callable[[list[str] | None], int]) -> NoReturn:
    """`raise SystemExit(run(main))` for a module's `if __name__ == "__main__"`."""
    code = run(main)
    sys.exit(code)
