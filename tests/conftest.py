import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The fast lane (`make test-fast`, `-m "not process"`) is the tests that start no process. A test
# that starts one must say so (@pytest.mark.process, or `pytestmark` for a module): an unmarked
# one fails here, so the lane cannot quietly grow slow.
_running: dict[str, pytest.Item | None] = {"item": None}
_popen_init = subprocess.Popen.__init__


def _declared_popen_init(self, *args, **kwargs):
    item = _running["item"]
    if item is not None and item.get_closest_marker("process") is None:
        raise AssertionError(
            f"{item.nodeid} starts a process: mark it @pytest.mark.process (the slow lane)"
        )
    _popen_init(self, *args, **kwargs)


subprocess.Popen.__init__ = _declared_popen_init  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _running["item"] = item


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    _running["item"] = nextitem


def run_preflight(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m preflight ARGS`; `env` adds to (or, with None values, removes from) the
    environment."""
    environ = dict(os.environ, PYTHONPATH=str(ROOT))
    environ.pop("PULUMI_CONFIG_PASSPHRASE", None)
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=300,
        env=environ,
    )


@pytest.fixture
def stack_file(tmp_path):
    """Write a stack file from a config mapping; returns its path."""

    def write(config: dict, name: str = "test") -> Path:
        path = tmp_path / f"Pulumi.{name}.yaml"
        path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        return path

    return write


def plan_of(path: Path) -> dict:
    result = run_preflight("preview", "--config", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def resource(plan: dict, type_token: str) -> dict:
    found = [r for r in plan["resources"] if r["type"] == type_token]
    assert len(found) == 1, [r["type"] for r in plan["resources"]]
    return found[0]
