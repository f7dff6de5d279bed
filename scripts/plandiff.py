"""Plan diff of every stack between a git ref and this checkout, as one markdown document.

    python scripts/plandiff.py diff BASE   # what `make diff BASE=<git ref>` runs
    python scripts/plandiff.py stacks      # the stack names as a JSON list (the CI matrix)

Each side is previewed offline by its own preflight: BASE in a temporary git worktree (removed
afterwards), the head in this checkout, uncommitted changes included. Stacks are the
Pulumi.<name>.yaml files of the project's stackConfigDir on either side; a stack found on one side
only is diffed against an empty plan. Stacks whose preview failed come first, then those with
replacements, disruptive changes (the scoring name's DNS record removed or replaced included),
changes Azure cannot make in place or new warnings, so what needs a reviewer's attention stands at
the top.

Exit codes: 0 done; 2 bad input (not a git checkout, unknown ref, unreadable Pulumi.yaml); 3 a
preview failed (its section says why, the other stacks are still shown); 64 wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

OK, INVALID, PREVIEW_FAILED, USAGE = 0, 2, 3, 64
PROJECT_DIR = Path(__file__).resolve().parent.parent
EMPTY_PLAN: dict = {"resources": []}
# Two previews at a time: each is a Python process that runs the whole program (CI has 2 cores).
WORKERS = 2


class Failure(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class StackDiff:
    stack: str
    note: str  # "new stack", "stack removed" or ""
    error: str  # why a preview failed, or ""
    counts: dict[str, int]
    markdown: str

    @property
    def attention(self) -> bool:
        return any(
            self.counts.get(k) for k in ("replaced", "disruptive", "not in place", "new warnings")
        )

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def _clean_env() -> dict[str, str]:
    # Each side must import its own packages only: drop a PYTHONPATH that could mix the two.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def stacks(project: Path) -> list[str]:
    project_file = project / "Pulumi.yaml"
    try:
        settings = yaml.safe_load(project_file.read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise Failure(INVALID, f"{project_file}: cannot read the Pulumi project: {err}") from None
    if not isinstance(settings, dict):
        raise Failure(INVALID, f"{project_file}: not a Pulumi project (no mapping at the top)")
    config_dir = project / str(settings.get("stackConfigDir") or ".")
    prefix, suffix = "Pulumi.", ".yaml"
    return sorted(p.name[len(prefix) : -len(suffix)] for p in config_dir.glob(f"{prefix}*{suffix}"))


def _git(*args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, env=_clean_env()
    )
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise Failure(INVALID, f"git {args[0]}: {detail}")
    return proc.stdout.strip()


def _commit(ref: str) -> str:
    try:
        _git("rev-parse", "--is-inside-work-tree")
    except Failure:
        raise Failure(INVALID, f"{PROJECT_DIR}: not a git checkout, so there is no BASE") from None
    try:
        return _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except Failure:
        raise Failure(
            INVALID,
            f"BASE={ref}: no such commit here (fetch it first, e.g. `git fetch origin main`)",
        ) from None


@contextmanager
def _worktree(commit: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="plandiff-") as tmp:
        path = Path(tmp) / "base"
        _git("worktree", "add", "--detach", "--quiet", str(path), commit)
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)],
                cwd=PROJECT_DIR,
                capture_output=True,
                env=_clean_env(),
            )
            subprocess.run(
                ["git", "worktree", "prune"], cwd=PROJECT_DIR, capture_output=True, env=_clean_env()
            )


def _preflight(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        env=_clean_env(),
    )


def _preview(directory: Path, stack: str, stack_names: list[str]) -> dict:
    """The stack's JSON plan, the empty plan when the side has no such stack, or Failure."""
    if stack not in stack_names:
        return EMPTY_PLAN
    proc = _preflight(directory, "preview", "--stack", stack, "--format", "json")
    if proc.returncode == 0:
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise Failure(PREVIEW_FAILED, "preflight printed no JSON plan") from None
    raise Failure(PREVIEW_FAILED, _reason(proc))


def _reason(proc: subprocess.CompletedProcess) -> str:
    """preflight's message and the errors it lists (a crash: the last line of its traceback)."""
    lines = proc.stderr.strip().splitlines() or [f"preflight exited {proc.returncode}"]
    start = next((i for i, line in enumerate(lines) if line.startswith("preflight:")), -1)
    return " ".join(line.strip() for line in lines[start:])


def _diff_stack(stack: str, base: Path, base_stacks: list[str], head_stacks: list[str], tmp: Path):
    note = "new stack" if stack not in base_stacks else ""
    note = "stack removed" if stack not in head_stacks else note
    files = []
    for side, directory, names in (
        ("BASE", base, base_stacks),
        ("head", PROJECT_DIR, head_stacks),
    ):
        try:
            plan = _preview(directory, stack, names)
        except Failure as failure:
            return StackDiff(stack, note, f"preview on {side} failed: {failure.message}", {}, "")
        files.append(tmp / f"{stack}.{side}.json")
        files[-1].write_text(json.dumps(plan))
    rendered = {}
    for fmt in ("json", "markdown"):
        proc = _preflight(PROJECT_DIR, "diff", *map(str, files), "--format", fmt)
        if proc.returncode != 0:
            return StackDiff(stack, note, f"preflight diff failed: {_reason(proc)}", {}, "")
        rendered[fmt] = proc.stdout
    changes = json.loads(rendered["json"])
    counts = {
        "added": len(changes["added"]),
        "removed": len(changes["removed"]),
        "changed": len(changes["changed"]),
        "replaced": sum(1 for c in changes["changed"] if c.get("replace")),
        "disruptive": sum(1 for c in changes["changed"] if c.get("disruptive"))
        + len(changes.get("disruptiveRemovals", [])),
        "not in place": sum(1 for c in changes["changed"] if c.get("blocked")),
        "new warnings": len(changes.get("warnings", {}).get("new", [])),
    }
    return StackDiff(stack, note, "", counts, rendered["markdown"])


def _order(result: StackDiff) -> tuple[int, str]:
    return (0 if result.error else 1 if result.attention else 2, result.stack)


def render(ref: str, commit: str, results: list[StackDiff]) -> str:
    results = sorted(results, key=_order)
    columns = (
        "added",
        "removed",
        "changed",
        "replaced",
        "disruptive",
        "not in place",
        "new warnings",
    )
    lines = [
        f"## Plan diff: `{ref}` ({commit[:12]}) → this change",
        "",
        "Every stack previewed offline by preflight on both commits (no cloud account).",
        "",
        "| | Stack | " + " | ".join(c.capitalize() for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for r in results:
        mark = "❌" if r.error else "⚠️" if r.attention else ""
        name = f"`{r.stack}`" + (f" ({r.note})" if r.note else "")
        cells = ["?" if r.error else str(r.counts[c]) for c in columns]
        lines.append(f"| {mark} | {name} | " + " | ".join(cells) + " |")
    lines.append("")
    unchanged = [f"`{r.stack}`" for r in results if not r.error and not r.changed]
    if unchanged:
        lines += [f"No changes: {', '.join(unchanged)}.", ""]
    for r in results:
        if r.error:
            lines += [f"## Stack `{r.stack}`", "", "> [!CAUTION]", f"> {r.error}", ""]
        elif r.changed:
            lines += [f"## Stack `{r.stack}`" + (f" ({r.note})" if r.note else ""), ""]
            lines += [r.markdown.rstrip("\n"), ""]
    return "\n".join(lines)


def diff(ref: str) -> int:
    commit = _commit(ref)
    head_stacks = stacks(PROJECT_DIR)
    with _worktree(commit) as base, tempfile.TemporaryDirectory(prefix="plandiff-") as tmp:
        try:
            base_stacks = stacks(base)
        except Failure as failure:
            raise Failure(failure.code, f"BASE={ref}: {failure.message}") from None
        names = sorted(set(base_stacks) | set(head_stacks))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(
                pool.map(lambda s: _diff_stack(s, base, base_stacks, head_stacks, Path(tmp)), names)
            )
    sys.stdout.write(render(ref, commit, results))
    return PREVIEW_FAILED if any(r.error for r in results) else OK


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        raise Failure(USAGE, f"{self.prog}: {message}")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="scripts/plandiff.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("stacks", help="the stack names as a JSON list")
    d = sub.add_parser("diff", help="markdown plan diff of every stack against BASE")
    d.add_argument("base", help="a git ref: branch, tag or commit")
    try:
        args = parser.parse_args(argv)
        if args.command == "stacks":
            print(json.dumps(stacks(PROJECT_DIR)))
            return OK
        return diff(args.base)
    except Failure as failure:
        print(f"plandiff: {failure.message}", file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
