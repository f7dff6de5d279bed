"""CI: the workflows pass actionlint and keep their guarantees (pinned actions, least privilege,
OpenID Connect only where Azure is reached, deploy order); `make diff` reports a disruptive
extension change and a node pool resize at the top; the Azure gate skips with a notice."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.common.processes import environment, marked, none_left, wait_for
from tests.conftest import ROOT

pytestmark = pytest.mark.process

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
LOCAL_ACTION = GITHUB / "actions" / "pulumi" / "action.yml"
GATE = GITHUB / "scripts" / "azure-gate.sh"
UP_EACH = GITHUB / "scripts" / "up-each.sh"
BIN = Path(sys.prefix) / "bin"  # the venv that runs the tests has the pinned linters


def _yaml(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(BIN / "actionlint"),
            "-no-color",
            "-shellcheck",
            str(BIN / "shellcheck"),  # the pinned one, not whatever is on PATH
            "-pyflakes=",  # the workflows run no Python inline
            *map(str, files),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_pass_actionlint():
    assert {"deploy.yml", "pull-request.yml"} <= {w.name for w in WORKFLOWS}
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.write_text(
        "on: push\n"
        "permissions: {pull-request: write}\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo $GITHUB_OUTPUT ${{ github.event.pull_request.title }}\n"
    )
    result = _actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1
    assert 'unknown permission scope "pull-request"' in result.stdout
    assert "SC2086" in result.stdout  # shellcheck ran on the script
    assert "potentially untrusted" in result.stdout


def test_composite_action_scripts_pass_shellcheck(tmp_path):
    steps = _yaml(LOCAL_ACTION)["runs"]["steps"]
    scripts = [s["run"] for s in steps if "run" in s]
    assert scripts
    for i, script in enumerate(scripts):
        # Expressions are substituted before bash sees the script; a placeholder stands in.
        path = tmp_path / f"step{i}.sh"
        path.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{[^}]*\}\}", "x", script))
        result = subprocess.run(
            [str(BIN / "shellcheck"), str(path)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout
    for script in (GATE, UP_EACH):
        result = subprocess.run(
            [str(BIN / "shellcheck"), str(script)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout


def _uses() -> list[tuple[str, str, str]]:
    """(file, action reference, trailing comment) of every `uses:` under .github."""
    found = []
    for path in sorted(GITHUB.rglob("*.yml")):
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$", line)
            if match:
                found.append((path.name, match.group(1), (match.group(2) or "").strip()))
    return found


def test_every_action_is_pinned_to_a_full_commit_with_its_version():
    remote = [(f, ref, comment) for f, ref, comment in _uses() if not ref.startswith("./")]
    assert remote
    versions: dict[str, str] = {}
    for file, ref, comment in remote:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{file}: {ref} not a SHA"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment), f"{file}: {ref} needs `# vX.Y.Z`"
        # One commit, one version, everywhere.
        assert versions.setdefault(ref, comment) == comment, f"{file}: {ref} {comment}"
    shas = {}
    for ref in versions:
        action, sha = ref.split("@")
        assert shas.setdefault(action, sha) == sha, f"{action} pinned to two commits"


def _jobs() -> list[tuple[str, str, dict]]:
    return [(w.name, name, job) for w in WORKFLOWS for name, job in _yaml(w)["jobs"].items()]


def _called(workflow: Path) -> bool:
    """A reusable workflow: its jobs run when a job of another workflow calls it."""
    return "workflow_call" in (_yaml(workflow)["on"] or {})


def _reaches_azure(job: dict) -> bool:
    """Runs the local Pulumi action, or calls a local workflow whose jobs do."""
    called = job.get("uses", "")
    if called.startswith("./.github/workflows/"):
        return any(_reaches_azure(j) for j in _yaml(ROOT / called)["jobs"].values())
    return any(step.get("uses") == "./.github/actions/pulumi" for step in job.get("steps", []))


def test_least_privilege_permissions():
    for workflow in WORKFLOWS:
        assert _yaml(workflow)["permissions"] == {}, f"{workflow.name}: top-level permissions"
    for file, name, job in _jobs():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"{file} {name}: explicit permissions per job"
        assert set(permissions.values()) <= {"read", "write"}, f"{file} {name}"
        writes = {scope for scope, level in permissions.items() if level == "write"}
        allowed = set()
        if _reaches_azure(job):
            allowed |= {"id-token"}
        comments = any("github-script" in str(s.get("uses")) for s in job.get("steps", []))
        if comments or (_reaches_azure(job) and file == "pull-request.yml"):
            allowed |= {"pull-requests"}
        assert writes <= allowed, f"{file} {name}: writes {writes - allowed} it does not need"
        if _reaches_azure(job):
            assert "id-token" in writes, f"{file} {name}: OpenID Connect needs id-token: write"
            called = _called(GITHUB / "workflows" / file)
            assert called or job["needs"], f"{file} {name}: must wait for the Azure gate"


def test_azure_jobs_run_only_when_the_gate_allows():
    for file, name, job in _jobs():
        if not _reaches_azure(job) or _called(GITHUB / "workflows" / file):
            continue  # a called workflow's jobs run behind their caller's gate
        if file == "deploy.yml" and name == "prod":
            assert job["needs"] == "dev"  # dev was gated, and prod follows dev
            continue
        if file == "fleet.yml":
            _assert_wave_gated(name, job)
            continue
        assert job["if"] == "needs.azure.outputs.enabled == 'true'", f"{file} {name}"
        step = next(s for s in job["steps"] if s.get("uses") == "./.github/actions/pulumi")
        assert step["with"]["backend-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert step["with"]["client-id"] == "${{ vars.AZURE_CLIENT_ID }}"


def _assert_wave_gated(name: str, job: dict) -> None:
    """A fleet wave waits for the gated plan job (wave 1) or the wave before it (wave 2 on), so
    a failed wave skips every later one."""
    jobs = _yaml(GITHUB / "workflows" / "fleet.yml")["jobs"]
    assert jobs["plan"]["if"] == "needs.azure.outputs.enabled == 'true'"
    number = int(name.removeprefix("wave"))
    expected = "plan" if number == 1 else ["plan", f"wave{number - 1}"]
    assert job["needs"] == expected, name
    assert job["if"] == f"fromJSON(needs.plan.outputs.waves) >= {number}", name


def test_fleet_rolls_out_waves_in_order_from_the_plan():
    workflow = _yaml(GITHUB / "workflows" / "fleet.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    assert workflow["concurrency"] == {"group": "fleet", "cancel-in-progress": False}
    jobs = workflow["jobs"]
    waves = [name for name in jobs if name.startswith("wave")]
    from preflight.fleet.waves import MAX_WAVES

    assert waves == [f"wave{i}" for i in range(1, MAX_WAVES + 1)]
    runs = " ".join(str(s.get("run")) for s in jobs["plan"]["steps"])
    assert "-m preflight fleet check --inventory fleet/inventory.yaml" in runs
    assert "--format github-matrix" in runs
    for name in waves:
        assert jobs[name]["uses"] == "./.github/workflows/fleet-wave.yml"
        assert jobs[name]["with"]["matrix"] == f"${{{{ needs.plan.outputs.{name} }}}}"
        assert f"{name}_name" in jobs["plan"]["outputs"] and name in jobs["plan"]["outputs"]
    up = _yaml(GITHUB / "workflows" / "fleet-wave.yml")["jobs"]["up"]
    assert up["strategy"]["fail-fast"] is False
    assert "FLEET_MAX_PARALLEL" in up["strategy"]["max-parallel"]
    step = next(s for s in up["steps"] if s.get("uses") == "./.github/actions/pulumi")
    assert step["with"]["command"] == "up-each" and step["with"]["stack"] == "${{ matrix.stacks }}"


def test_deploy_runs_dev_then_prod_as_environments_one_at_a_time():
    deploy = _yaml(GITHUB / "workflows" / "deploy.yml")
    assert deploy["on"] == {"push": {"branches": ["main"]}}
    jobs = deploy["jobs"]
    assert jobs["prod"]["needs"] == "dev" and jobs["dev"]["needs"] == "azure"
    for stack in ("dev", "prod"):
        job = jobs[stack]
        assert job["environment"] == stack
        assert job["concurrency"] == {"group": f"pulumi-up-{stack}", "cancel-in-progress": False}
        step = next(s for s in job["steps"] if s.get("uses") == "./.github/actions/pulumi")
        assert step["with"]["command"] == "up" and step["with"]["stack"] == stack


def test_pull_request_gates_then_previews_every_stack():
    workflow = _yaml(GITHUB / "workflows" / "pull-request.yml")
    jobs = workflow["jobs"]
    assert "make test" in [s.get("run") for s in jobs["test"]["steps"]]
    matrix = "${{ fromJSON(needs.test.outputs.stacks) }}"
    for name in ("check", "preview"):
        assert jobs[name]["strategy"]["matrix"]["stack"] == matrix
    check_runs = " ".join(str(s.get("run")) for s in jobs["check"]["steps"])
    assert '-m preflight check --stack "$STACK"' in check_runs
    assert "make --silent diff" in " ".join(str(s.get("run")) for s in jobs["diff"]["steps"])
    step = next(s for s in jobs["preview"]["steps"] if s.get("uses") == "./.github/actions/pulumi")
    assert step["with"]["command"] == "preview" and step["with"]["comment-on-pr"] == "true"


def test_pull_request_checks_the_fleet_and_comments_its_diff():
    jobs = _yaml(GITHUB / "workflows" / "pull-request.yml")["jobs"]
    runs = " ".join(str(s.get("run")) for s in jobs["fleet"]["steps"])
    assert "-m preflight fleet check --inventory fleet/inventory.yaml" in runs
    assert 'make --silent fleet-diff BASE="$BASE"' in runs
    scripts = [str(s.get("with", {}).get("script")) for s in jobs["fleet"]["steps"]]
    assert any("<!-- azureml-k8s fleet diff -->" in script for script in scripts)
    assert (GITHUB / "scripts" / "pr-comment.js").is_file()


def test_local_action_runs_pulumi_with_the_policy_pack_and_the_pinned_cli():
    steps = _yaml(LOCAL_ACTION)["runs"]["steps"]
    pulumi = next(s for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@"))
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["env"]["ARM_USE_OIDC"] == "true"
    login = next(s for s in steps if str(s.get("uses", "")).startswith("azure/login@"))
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}  # no secret
    sdk = re.search(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    assert sdk and pulumi["with"]["pulumi-version"] == sdk.group(1)


AZURE_VARS = {
    "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001",
    "AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000002",
    "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000003",
    "PULUMI_BACKEND_URL": "azblob://state?storage_account=example",
}


@pytest.mark.parametrize(
    ("env", "enabled", "notice"),
    [
        ({**AZURE_VARS, "SAME_REPO": "true"}, "true", None),
        (AZURE_VARS, "true", None),  # a push: no pull request, no fork
        ({**AZURE_VARS, "SAME_REPO": "false"}, "false", "from a fork"),
        ({**AZURE_VARS, "PULUMI_BACKEND_URL": ""}, "false", "variables PULUMI_BACKEND_URL to"),
        ({"SAME_REPO": "true"}, "false", "AZURE_CLIENT_ID AZURE_TENANT_ID"),
    ],
)
def test_azure_gate(tmp_path, env, enabled, notice):
    output = tmp_path / "output"
    base = {k: v for k, v in os.environ.items() if k not in AZURE_VARS and k != "SAME_REPO"}
    result = subprocess.run(
        [str(GATE)],
        env={**base, **env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text() == f"enabled={enabled}\n"
    if notice:
        assert result.stdout.startswith("::notice title=Azure skipped::")
        assert notice in result.stdout
    else:
        assert result.stdout == ""


# --- make diff -------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def shipped_stacks() -> list[str]:
    """The stacks the project keeps (a team's own included), by name."""
    return sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
    )


def _copy_project(dest: Path) -> None:
    """The project's files as in this checkout (uncommitted work included), mtimes kept."""
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def _make_diff(repo: Path, *args: str) -> subprocess.CompletedProcess:
    venv = Path(sys.prefix)
    return subprocess.run(
        # The tests' venv is the project's, already installed: never re-run pip here (-o).
        ["make", "--silent", "-o", f"{venv}/.installed", f"VENV={venv}", "diff", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "BASE"},
    )


@pytest.fixture(scope="module")
def two_commits(tmp_path_factory) -> Path:
    """A git repository of the project: BASE as it is, then a commit that resizes prod's GPU pool,
    changes the router's service type (disruptive) and adds a stack."""
    repo = tmp_path_factory.mktemp("project")
    _copy_project(repo)
    # The test's own stack, beside whatever stacks the project keeps.
    shutil.copy2(ROOT / "tests" / "fixtures" / "Pulumi.difftest.yaml", repo / "stacks")
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "--all")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")

    changed = repo / "stacks" / "Pulumi.difftest.yaml"
    stack = yaml.safe_load(changed.read_text())
    config = stack["config"]
    pool = next(p for p in config["azureml-k8s:cluster"]["nodePools"] if p["name"] == "gpu")
    assert pool["vmSize"] == "Standard_NC24ads_A100_v4"
    pool["vmSize"] = "Standard_NC48ads_A100_v4"
    extension = config["azureml-k8s:extension"]
    assert extension["inferenceRouterServiceType"] == "loadBalancer"
    extension["inferenceRouterServiceType"] = "nodePort"
    changed.write_text(yaml.safe_dump(stack, sort_keys=False))
    shutil.copy2(repo / "stacks" / "Pulumi.difftest.yaml", repo / "stacks" / "Pulumi.staging.yaml")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "--all")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "head")
    return repo


@pytest.fixture(scope="module")
def diff_result(two_commits) -> subprocess.CompletedProcess:
    return _make_diff(two_commits, "BASE=HEAD~1")


def _first_section_top(markdown: str) -> list[str]:
    """The lines of the first stack's section before its first table row: the top."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## Stack "))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("|"))
    return lines[start:end]


def test_make_diff_puts_the_resize_and_the_disruption_at_the_top(diff_result):
    assert diff_result.returncode == 0, diff_result.stderr
    out = diff_result.stdout
    assert out.startswith("## Plan diff: `HEAD~1` (")
    top = _first_section_top(out)
    assert top[0] == "## Stack `difftest`"
    text = "\n".join(top)
    # Named above the first table of property changes, whatever words preflight puts around them.
    assert re.search(r"agentPoolProfiles\[\d+\]\.vmSize", text), text
    assert "inferenceRouterServiceType" in text, text
    # The summary table marks the stack and counts one disruptive resource and one change Azure
    # cannot make in place, by the table's own column names.
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("| | Stack |"))
    row = next(line for line in lines if line.startswith("| ⚠️ | `difftest` |"))
    counts = dict(zip(header.split("|")[3:-1], row.split("|")[3:-1]))
    counts = {k.strip(): v.strip() for k, v in counts.items()}
    assert (counts["Disruptive"], counts["Not in place"]) == ("1", "1"), row
    unchanged = ", ".join(f"`{name}`" for name in shipped_stacks())
    assert f"No changes: {unchanged}." in out
    assert "## Stack `staging` (new stack)" in out


def test_make_diff_says_a_new_pool_is_needed(diff_result):
    assert "a new pool is needed" in "\n".join(_first_section_top(diff_result.stdout))


def test_make_diff_leaves_no_worktree_behind(two_commits, diff_result):
    assert diff_result.returncode == 0, diff_result.stderr
    assert len(_git(two_commits, "worktree", "list", "--porcelain").split("worktree ")) == 2


def test_make_diff_bad_input(two_commits):
    missing = _make_diff(two_commits)
    assert missing.returncode != 0 and "usage: make diff BASE=<git ref>" in missing.stderr
    unknown = _make_diff(two_commits, "BASE=no-such-branch")
    assert unknown.returncode != 0
    assert "plandiff: BASE=no-such-branch: no such commit here" in unknown.stderr
    assert "Traceback" not in unknown.stderr and unknown.stdout == ""


def test_plandiff_exit_codes(two_commits):
    script = [sys.executable, str(two_commits / "scripts" / "plandiff.py")]
    run = subprocess.run(
        [*script, "stacks"], cwd=two_commits, capture_output=True, text=True, timeout=60
    )
    expected = sorted([*shipped_stacks(), "difftest", "staging"])
    assert (run.returncode, run.stdout) == (0, json.dumps(expected) + "\n")
    for args, code in ((["diff", "no-such-branch"], 2), (["nope"], 64), (["diff"], 64)):
        run = subprocess.run(
            [*script, *args], cwd=two_commits, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == code, (args, run.stderr)
        assert "Traceback" not in run.stderr


def test_plandiff_reports_a_failed_preview_and_exits_3(tmp_path):
    """A stand-in preflight that refuses the stack: the section says why, the exit code is 3."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "plandiff.py", tmp_path / "scripts" / "plandiff.py")
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_text("config: {}\n")
    (tmp_path / "preflight").mkdir()
    (tmp_path / "preflight" / "__main__.py").write_text(
        "import sys\n"
        "print('preflight: stacks/Pulumi.x.yaml: invalid settings', file=sys.stderr)\n"
        "print('  cluster.name: required', file=sys.stderr)\n"
        "sys.exit(2)\n"
    )
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "add", "--all")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x")
    run = subprocess.run(
        [sys.executable, "scripts/plandiff.py", "diff", "HEAD"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 3, run.stderr
    assert "| ❌ | `x` | ? | ? | ? | ? | ? |" in run.stdout
    assert (
        "> preview on BASE failed: preflight: stacks/Pulumi.x.yaml: invalid settings "
        "cluster.name: required" in run.stdout
    )


# --- make diff and plandiff: the ref as data, escaped tables, bounded Pulumi.yaml, signals -----

# The Makefile's diff target as it must become (the Makefile is another engineer's): BASE taken
# unexpanded and passed in the environment, a recipe without shell syntax (make runs plandiff
# itself, no shell, and forwards SIGTERM to it).
SAFE_DIFF_TARGET = (
    "override BASE := $(value BASE)\n"
    "export BASE\n"
    "diff: $(VENV)/.installed\n"
    "\t@$(PY) scripts/plandiff.py diff\n"
)
_DIFF_TARGET = re.compile(r"^diff: .*?\n(?:\t.*\n)+", re.M)


def _safe_makefile(repo: Path) -> str:
    """The repository's Makefile with the safe diff target, as Makefile.safe; its name."""
    text = (repo / "Makefile").read_text()
    if "$(value BASE)" not in text:
        text, count = _DIFF_TARGET.subn(SAFE_DIFF_TARGET, text)
        assert count == 1, "the Makefile's diff target is not where it was"
    (repo / "Makefile.safe").write_text(text)
    return "Makefile.safe"


def _make(repo: Path, makefile: str, *args: str, env: dict | None = None, **kwargs):
    venv = Path(sys.prefix)
    argv = ["make", "--silent", "-f", makefile, "-o", f"{venv}/.installed", f"VENV={venv}"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "BASE"}
    return subprocess.run(
        [*argv, "diff", *args], cwd=repo, env={**environ, **(env or {})}, **kwargs
    )


def _small_repo(path: Path, project: str = "name: p\nruntime: python\nstackConfigDir: stacks\n"):
    """A repository with the project's Makefile and plandiff, one stack and a stand-in preflight
    that fails every preview, naming the stack (so tables and sections show the names)."""
    (path / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "plandiff.py", path / "scripts" / "plandiff.py")
    shutil.copy2(ROOT / "Makefile", path / "Makefile")
    (path / "Pulumi.yaml").write_text(project)
    (path / "stacks").mkdir()
    (path / "stacks" / "Pulumi.x.yaml").write_text("config: {}\n")
    (path / "preflight").mkdir()
    (path / "preflight" / "__main__.py").write_text(
        "import sys\nprint('preflight: cannot preview ' + sys.argv[3], file=sys.stderr)\n"
        "sys.exit(2)\n"
    )
    _git(path, "init", "--quiet")
    _git(path, "add", "--all")
    _git(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x")
    return path


HOSTILE_BASES = [
    "$(shell touch {canary}.shell)",
    "$(touch {canary}.subst)",
    "`touch {canary}.backticks`",
    "$$(touch {canary}.dollars)",
    "'; touch {canary}.quote; '",
    '"; touch {canary}.dquote; "',
    "x\ntouch {canary}.newline",
]


@pytest.mark.parametrize(
    "makefile",
    [
        "safe",
        pytest.param(
            "project",
            marks=pytest.mark.xfail(
                "$(value BASE)" not in (ROOT / "Makefile").read_text(),
                reason="the Makefile's diff target passes BASE to a shell; it must become "
                "SAFE_DIFF_TARGET",
                strict=True,
            ),
        ),
    ],
)
def test_make_diff_runs_nothing_from_base(tmp_path, makefile):
    repo = _small_repo(tmp_path / "repo")
    name = _safe_makefile(repo) if makefile == "safe" else "Makefile"
    canary = tmp_path / "pwned"
    for base in HOSTILE_BASES:
        result = _make(
            repo, name, "BASE=" + base.format(canary=canary), capture_output=True, text=True
        )
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
        assert "plandiff: BASE=" in result.stderr, (base, result.stderr)
        assert list(tmp_path.glob("pwned*")) == [], base


def test_make_diff_without_base_is_plandiffs_usage_error(tmp_path):
    repo = _small_repo(tmp_path / "repo")
    result = _make(repo, _safe_makefile(repo), capture_output=True, text=True, timeout=120)
    # make itself only ever exits 0 or 2; the recipe's 64 shows in its message.
    assert result.returncode == 2
    assert "usage: make diff BASE=<git ref>" in result.stderr and "Error 64" in result.stderr


@pytest.mark.parametrize(
    "args,env,code,fragment",
    [
        (["diff"], {}, 64, "usage: make diff BASE=<git ref>"),
        (["diff"], {"BASE": ""}, 64, "usage: make diff BASE=<git ref>"),
        (["diff", "--", "-x"], {}, 2, "BASE=-x: a git ref cannot start with '-'"),
        (["diff"], {"BASE": "--output=/tmp/x"}, 2, "a git ref cannot start with '-'"),
        (["diff", "a\nb"], {}, 2, "BASE=a\\nb: not a git ref"),
        (["diff", "no such"], {}, 2, "not a git ref"),
        (["diff"], {"BASE": "HEAD~5"}, 2, "BASE=HEAD~5: no such commit here"),
        (["nope"], {}, 64, "invalid choice"),
    ],
)
def test_plandiff_takes_the_ref_as_data(tmp_path, args, env, code, fragment):
    repo = _small_repo(tmp_path / "repo")
    environ = {k: v for k, v in os.environ.items() if k != "BASE"}
    result = subprocess.run(
        [sys.executable, "scripts/plandiff.py", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, **env},
    )
    assert result.returncode == code, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_stack_names_cannot_break_the_markdown(tmp_path):
    repo = _small_repo(tmp_path / "repo")
    for name in ("a|b", "line\nbreak", "tick`s"):
        (repo / "stacks" / f"Pulumi.{name}.yaml").write_text("config: {}\n")
    result = subprocess.run(
        [sys.executable, "scripts/plandiff.py", "diff", "HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith("|")]
    # Header, rule and one row per stack; every row has the header's cells.
    assert len(rows) == 2 + 4
    assert {line.count("|") - line.count("\\|") for line in rows} == {10}
    assert "| ❌ | `a\\|b` (new stack) |" in result.stdout
    assert "| ❌ | `line\\nbreak` (new stack) |" in result.stdout
    assert "## Stack `line\\nbreak`" in lines and "## Stack ``tick`s``" not in lines
    assert "## Stack `` tick`s ``" in lines


@pytest.mark.parametrize(
    "content,fragment",
    [
        (b"name: p\nruntime: caf\xe9\n", "Pulumi.yaml: file: not UTF-8 (byte 20)"),
        (
            b"name: " + b"[" * 100 + b"]" * 100 + b"\n",
            "Pulumi.yaml: line 1, column 70: not valid YAML: nested deeper than 64",
        ),
        (b"name: p\n" + b"#" * (2 * 1024 * 1024) + b"\n", "Pulumi.yaml: file: larger than 1 MiB"),
        (b"a: &x [1]\nb: *x\n", "YAML aliases (*x) are not allowed"),
        (b"- a list\n", "Pulumi.yaml: not a Pulumi project"),
        (b"name: p\nstackConfigDir: ../..\n", "stackConfigDir: ../.. is outside"),
    ],
)
@pytest.mark.parametrize("side", ["head", "BASE"])
def test_a_bad_pulumi_yaml_on_either_side_is_invalid_input(tmp_path, content, fragment, side):
    repo = _small_repo(tmp_path / "repo")
    (repo / "Pulumi.yaml").write_bytes(content)
    if side == "BASE":
        _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "bad")
        (repo / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    result = subprocess.run(
        [sys.executable, "scripts/plandiff.py", "diff", "HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert ("BASE=HEAD: " in result.stderr) == (side == "BASE")
    assert _git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def _previewing(marker: str) -> bool:
    return any("preflight.program.runner" in command for _, command in marked(marker))


# Python's tempfile probes TMPDIR with an empty file of 8 random characters and deletes it at
# once; a child killed in between leaves it. It is no leftover of plandiff's.
_TEMPFILE_PROBE = re.compile(r"[a-z0-9_]{8}")


def _nothing_left(repo: Path, scratch: Path, marker: str) -> None:
    assert none_left(marker) == []
    left = [
        p
        for p in scratch.iterdir()
        if not (p.is_file() and p.stat().st_size == 0 and _TEMPFILE_PROBE.fullmatch(p.name))
    ]
    assert left == []  # no worktree, no plan file in TMPDIR
    assert _git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    admin = repo / ".git" / "worktrees"
    assert not admin.exists() or list(admin.iterdir()) == []


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT], ids=str
)
def test_plandiff_ends_every_preview_and_removes_the_worktree_on_signals(
    two_commits, tmp_path, signum
):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    marker, env = environment(TMPDIR=str(scratch))
    plandiff = subprocess.Popen(
        [sys.executable, "scripts/plandiff.py", "diff", "HEAD~1"],
        cwd=two_commits,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: _previewing(marker), timeout=300)
    plandiff.send_signal(signum)
    assert plandiff.wait(timeout=60) == 128 + signum
    assert "Traceback" not in plandiff.stderr.read()
    _nothing_left(two_commits, scratch, marker)


def test_make_diff_after_sigterm_leaves_nothing_behind(two_commits, tmp_path):
    """make forwards SIGTERM to its recipe's process when it runs it without a shell: the safe
    diff target has no shell syntax, so plandiff gets the signal and cleans up."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    marker, env = environment(TMPDIR=str(scratch))
    venv = Path(sys.prefix)
    make = subprocess.Popen(
        [
            *("make", "--silent", "-f", _safe_makefile(two_commits)),
            *("-o", f"{venv}/.installed", f"VENV={venv}", "diff", "BASE=HEAD~1"),
        ],
        cwd=two_commits,
        env={k: v for k, v in env.items() if not k.startswith("MAKE")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: _previewing(marker), timeout=300)
    make.send_signal(signal.SIGTERM)
    make.wait(timeout=60)
    assert "Traceback" not in make.stderr.read()
    _nothing_left(two_commits, scratch, marker)


def test_up_each_deploys_every_stack_and_fails_at_the_end_when_one_fails(tmp_path):
    """A stand-in pulumi that fails `up` for site-b: site-c is still deployed, the step fails,
    and the summary has each stack's row."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    fake = bin_dir / "pulumi"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >>"{log}"\n'
        'if [ "$1" = up ] && [[ " $* " == *" site-b "* ]]; then exit 1; fi\n'
    )
    fake.chmod(0o755)
    summary = tmp_path / "summary.md"
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        STACKS="site-a site-b site-c",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    result = subprocess.run(
        ["bash", str(UP_EACH)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "pulumi up failed for site-b" in result.stdout
    ups = [line for line in log.read_text().splitlines() if line.startswith("up ")]
    assert [line.split()[-1] for line in ups] == ["site-a", "site-b", "site-c"]
    assert all("--policy-pack policy" in line for line in ups)
    rows = summary.read_text()
    assert "| `site-a` | ✅ deployed |" in rows and "| `site-b` | ❌ failed" in rows
