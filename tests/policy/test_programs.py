"""A hand-written program (plain pulumi_azure_native / pulumi_kubernetes, none of this project's
components) through `preflight check`: compliant as written, and one failing neighbour per policy
(the config value `case` breaks that policy) that fails naming exactly that policy. Config and
waivers go through `--policy-config`, pulumi's --policy-pack-config format."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from policy import pack
from tests.conftest import run_preflight
from tests.policy.test_policies import ELSEWHERE

pytestmark = pytest.mark.process

PROGRAM = Path(__file__).resolve().parent / "programs" / "azureml"
POLICIES = [rule.name for rule in pack.rules() if rule.name not in ELSEWHERE]
MANDATORY = {rule.name for rule in pack.rules() if rule.level.value == "mandatory"}
FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
PAST = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()


def check(
    tmp_path: Path,
    case: str = "",
    policy_config: dict | None = None,
    stack_name: str = "",
    extra: tuple[str, ...] = (),
):
    """`preflight check --format json` of the program as stack prod, prod-<case> or stack_name;
    (exit code, report)."""
    args = ["check", "--program", str(PROGRAM), "--format", "json", *extra]
    if case:
        stack = tmp_path / f"Pulumi.{stack_name or 'prod-' + case}.yaml"
        stack.write_text(f"config:\n  handwritten-azureml:case: {case}\n")
        args += ["--config", str(stack)]
    else:
        args += ["--stack", "prod"]
    if policy_config is not None:
        path = tmp_path / "policy-config.json"
        path.write_text(json.dumps(policy_config))
        args += ["--policy-config", str(path)]
    result = run_preflight(*args)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_program_as_written_passes(tmp_path):
    code, report = check(tmp_path)
    assert (code, report["violations"], report["errors"]) == (0, [], [])


@pytest.mark.parametrize("policy", POLICIES)
def test_each_broken_neighbour_fails_exactly_its_policy(tmp_path, policy):
    code, report = check(tmp_path, policy)
    assert [v["policy"] for v in report["violations"]] == [policy], report
    violation = report["violations"][0]
    assert violation["enforcementLevel"] == ("mandatory" if policy in MANDATORY else "advisory")
    assert not violation.get("unevaluated")
    assert code == (1 if policy in MANDATORY else 0)


def test_config_thresholds_apply(tmp_path):
    code, report = check(tmp_path, policy_config={"router-ha-needs-three-nodes": {"minNodes": 4}})
    assert code == 1
    assert [v["policy"] for v in report["violations"]] == ["router-ha-needs-three-nodes"]
    assert "at least 4 such nodes" in report["violations"][0]["message"]


def test_waiver_lets_the_gate_pass_and_stays_visible(tmp_path):
    waiver = {"resource": "azureml", "reason": "two nodes until the Q3 budget", "expires": FUTURE}
    config = {"router-ha-needs-three-nodes": {"waivers": [waiver]}}
    code, report = check(tmp_path, "router-ha-needs-three-nodes", config)
    assert code == 0
    [shown] = report["violations"]
    assert (shown["policy"], shown["enforcementLevel"]) == ("waivers", "advisory")
    assert shown["urn"].endswith("::azureml")
    assert shown["message"].startswith(
        f"router-ha-needs-three-nodes: waived until {FUTURE} (two nodes until the Q3 budget):"
    )


def test_expired_waiver_fails_the_gate_again(tmp_path):
    waiver = {"resource": "azureml", "reason": "two nodes until the Q3 budget", "expires": PAST}
    config = {"router-ha-needs-three-nodes": {"waivers": [waiver]}}
    code, report = check(tmp_path, "router-ha-needs-three-nodes", config)
    assert code == 1
    by_policy = {v["policy"]: v for v in report["violations"]}
    assert set(by_policy) == {"router-ha-needs-three-nodes", "waivers"}
    assert f"waiver expired on {PAST}" in by_policy["router-ha-needs-three-nodes"]["message"]
    assert "expired" in by_policy["waivers"]["message"]


@pytest.mark.parametrize("tags,expected", [((), 0), (("--tag", "environment=production"), 1)])
def test_stack_tags_mark_production(tmp_path, tags, expected):
    code, report = check(tmp_path, "https-in-prod", stack_name="staging", extra=tags)
    assert code == expected
    assert [v["policy"] for v in report["violations"]] == ["https-in-prod"] * expected
