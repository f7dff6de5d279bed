"""`preflight fleet diff BASE` and `make fleet-diff`: which sites a change touches, grouped by
identical change, so a template change across the fleet is one group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ci.test_workflows import _copy_project, _git
from tests.preflight.test_fleet import COMPUTES
from tests.stacks.test_inventory import TEMPLATE, site

pytestmark = pytest.mark.process

AUTHOR = ("-c", "user.name=t", "-c", "user.email=t@example.com")


def _inventory(repo: Path, document: dict) -> None:
    (repo / "fleet").mkdir(exist_ok=True)
    plain = json.loads(json.dumps(document))
    (repo / "fleet" / "inventory.yaml").write_text(yaml.safe_dump(plain, sort_keys=False))


def _commit(repo: Path, message: str) -> None:
    _git(repo, *AUTHOR, "add", "--all")
    _git(repo, *AUTHOR, "commit", "-qm", message)


@pytest.fixture(scope="module")
def fleet_repo(tmp_path_factory) -> Path:
    """BASE: six sites. Head: the template's TLS secret renamed (every site), one site's router
    down to one replica, one site removed and one added."""
    repo = tmp_path_factory.mktemp("fleetproject")
    _copy_project(repo)
    sites = [site(f"s{i}", "canary" if i == 1 else "stores") for i in range(1, 7)]
    template = {**TEMPLATE, **COMPUTES}
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _inventory(repo, {"template": template, "sites": sites})
    _commit(repo, "base")
    template = json.loads(json.dumps(template))
    template["azureml-k8s:extension"]["sslSecret"] = "azureml-fe-tls-2026"
    sites[2]["config"]["azureml-k8s:extension"]["inferenceRouterHA"] = False
    sites = [s for s in sites if s["name"] != "s6"] + [site("s7", "stores")]
    _inventory(repo, {"template": template, "sites": sites})
    _commit(repo, "head")
    return repo


def _run(repo: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env.pop("PYTHONPATH", None)
    env.pop("BASE", None)
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def report(fleet_repo) -> dict:
    result = _run(
        fleet_repo,
        sys.executable,
        "-m",
        "preflight",
        "fleet",
        "diff",
        "HEAD~1",
        "--inventory",
        "fleet/inventory.yaml",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_template_change_is_one_group_across_the_sites(report):
    by_sites = {tuple(g["sites"]): g for g in report["groups"]}
    template_only = by_sites[("s1", "s2", "s4", "s5")]
    assert template_only["kind"] == "changed"
    assert any(
        '"azureml-fe-tls" → "azureml-fe-tls-2026"' in line for line in template_only["changes"]
    )
    single = by_sites[("s3",)]
    assert set(template_only["changes"]) < set(single["changes"])


def test_added_and_removed_sites_are_their_own_groups(report):
    kinds = {g["kind"]: g["sites"] for g in report["groups"]}
    assert kinds["new"] == ["s7"] and kinds["removed"] == ["s6"]
    assert report["unchanged"] == [] and report["sites"] == 7
    removed = next(g for g in report["groups"] if g["kind"] == "removed")
    assert removed["attention"] and report["groups"][0] is not None
    assert report["groups"][0]["kind"] == "removed"  # what needs a reviewer comes first


def test_make_fleet_diff_prints_the_markdown(fleet_repo):
    venv = Path(sys.prefix)
    result = _run(
        fleet_repo,
        "make",
        "--silent",
        "-o",
        f"{venv}/.installed",
        f"VENV={venv}",
        "fleet-diff",
        "BASE=HEAD~1",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("## Fleet diff: `HEAD~1`")
    assert "7 sites: 7 changed in 4 ways, 0 unchanged." in lines[2]
    assert "|  | 4 | " in result.stdout  # the template change, four sites in one row


def test_make_fleet_diff_needs_a_base(fleet_repo):
    venv = Path(sys.prefix)
    result = _run(
        fleet_repo, "make", "--silent", "-o", f"{venv}/.installed", f"VENV={venv}", "fleet-diff"
    )
    assert result.returncode != 0 and "usage: python -m preflight fleet diff" in result.stderr
    assert "Traceback" not in result.stderr
