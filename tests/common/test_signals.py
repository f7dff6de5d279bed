"""common.cli's signals in a real process: Ctrl-C (SIGINT), SIGTERM, SIGHUP and SIGQUIT run the
cleanups registered with on_exit, then exit 128 + N without a traceback, whatever the command was
doing (sleeping, waiting on a thread); a second signal does not cut the cleanup short."""

import signal
import subprocess
import sys
import time

import pytest

from tests.common.processes import environment

pytestmark = pytest.mark.process

COMMAND = """
import pathlib, sys, threading, time
from common import cli
done = pathlib.Path(sys.argv[1])

def cleanup():
    time.sleep(0.5)
    done.write_text("cleaned")

def main(argv):
    cli.on_exit(cleanup)
    worker = threading.Thread(target=time.sleep, args=(60,), daemon=True)
    worker.start()
    print("ready", flush=True)
    worker.join()  # blocked in a thread join, as a command waiting on its children
    return 0

cli.exit_with(main)
"""


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT], ids=str
)
def test_signals_clean_up_and_exit_128_plus_n(tmp_path, signum):
    done = tmp_path / "done"
    _marker, env = environment()
    command = subprocess.Popen(
        [sys.executable, "-c", COMMAND, str(done)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert command.stdout.readline() == "ready\n"
    command.send_signal(signum)
    time.sleep(0.2)  # the cleanup takes 0.5 s: the second signal comes in the middle of it
    command.send_signal(signum)  # ignored while the cleanup runs
    assert command.wait(timeout=30) == 128 + signum
    assert done.read_text() == "cleaned"
    stderr = command.stderr.read()
    assert "Traceback" not in stderr
    assert stderr == ("interrupted\n" if signum == signal.SIGINT else "")
