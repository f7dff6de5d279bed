"""A git ref's commit checked out beside this one, for the diffs that preview both sides
(scripts/plandiff.py, `preflight fleet diff`).

The ref is data: it reaches git as one argument of an argument vector (never a shell), after
`--end-of-options`, and must name a commit; a ref that starts with "-" or holds control
characters is refused before git sees it. Every child (git, the previews) runs in its own process
group, and the worktree is registered for removal, so Ctrl-C, SIGTERM, SIGHUP or SIGQUIT leave no
process, no temporary file and no `.git/worktrees` entry behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from common import cli
from preflight.report.render import visible

INVALID = 2
# How long a child may take to clean up after SIGTERM before its group is killed.
GRACE_S = 10.0
MAX_REF_CHARS = 1000


class Failure(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class Children:
    """Every child of this run, each in its own process group; `stop` ends them all (SIGTERM, so
    a preview ends its own children, then SIGKILL) and lets no new one start."""

    def __init__(self) -> None:
        self._live: set[subprocess.Popen] = set()
        self._lock = threading.RLock()  # the signal handler runs in the main thread
        self._stopping = False

    def run(self, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
        with self._lock:
            if self._stopping:
                raise Failure(INVALID, "stopping")
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            self._live.add(process)
        try:
            out, err = process.communicate()
        finally:
            with self._lock:
                self._live.discard(process)
        return subprocess.CompletedProcess(
            argv, process.returncode, out.decode(errors="replace"), err.decode(errors="replace")
        )

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            live = list(self._live)
        for process in live:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        for process in live:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
        for process in live:
            _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


CHILDREN = Children()


def clean_env() -> dict[str, str]:
    # Each side must import its own packages only: drop a PYTHONPATH that could mix the two.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _git(project: Path, *args: str) -> str:
    proc = CHILDREN.run(["git", *args], project)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise Failure(INVALID, f"git {args[0]}: {visible(detail)}")
    return proc.stdout.strip()


def check_ref(ref: str, usage: str) -> str:
    """The ref as git will get it, or Failure: no option, no control character, not empty."""
    shown = f"BASE={visible(ref[:MAX_REF_CHARS])}"
    if not ref.strip():
        raise cli.UsageError(usage)
    if ref.startswith("-"):
        raise Failure(INVALID, f"{shown}: a git ref cannot start with '-'")
    if len(ref) > MAX_REF_CHARS or not ref.isprintable() or any(c.isspace() for c in ref):
        raise Failure(INVALID, f"{shown}: not a git ref (no spaces or control characters)")
    return ref


def commit(ref: str, project: Path) -> str:
    try:
        _git(project, "rev-parse", "--is-inside-work-tree")
    except Failure:
        raise Failure(INVALID, f"{project}: not a git checkout, so there is no BASE") from None
    try:
        return _git(
            project, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
    except Failure:
        raise Failure(
            INVALID,
            f"BASE={visible(ref)}: no such commit here (fetch it first, e.g. "
            "`git fetch origin main`)",
        ) from None


def remove_worktree(scratch: Path, path: Path, project: Path) -> None:
    """The worktree, its directory and its `.git/worktrees` entry, even half created."""
    env = clean_env()
    subprocess.run(
        ["git", "worktree", "remove", "--force", "--force", str(path)],
        cwd=project,
        capture_output=True,
        env=env,
        check=False,
    )
    shutil.rmtree(scratch, ignore_errors=True)
    common = subprocess.run(
        ["git", "rev-parse", "--git-common-dir"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout.strip()
    admin = (project / common / "worktrees") if common else None
    for entry in admin.iterdir() if admin and admin.is_dir() else ():
        with contextlib.suppress(OSError):
            gitdir = (entry / "gitdir").read_text().strip()
            if Path(gitdir).is_relative_to(scratch):
                shutil.rmtree(entry, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=project, capture_output=True, env=env)


def worktree(commit: str, scratch: Path, project: Path) -> Path:
    path = scratch / "base"
    _git(project, "worktree", "add", "--detach", "--quiet", str(path), commit)
    return path


@contextlib.contextmanager
def base_checkout(ref: str, usage: str, project: Path) -> Iterator[tuple[str, Path, Path]]:
    """(commit, its worktree, a scratch directory beside it), removed however the run ends."""
    found = commit(check_ref(ref, usage), project)
    try:
        scratch = Path(tempfile.mkdtemp(prefix="plandiff-"))
    except OSError as err:
        raise Failure(cli.OUTPUT_FAILED, f"cannot make a temporary directory: {err}") from None
    cleanup = cli.on_exit(lambda: remove_worktree(scratch, scratch / "base", project))
    cli.on_exit(CHILDREN.stop)  # runs first: the previews leave the worktree before it goes
    try:
        yield found, worktree(found, scratch, project), scratch
    except OSError as err:  # a full disk under TMPDIR, say
        raise Failure(cli.OUTPUT_FAILED, f"cannot write in {scratch}: {err.strerror}") from None
    finally:
        cli.cancel_on_exit(cleanup)
        cleanup()
