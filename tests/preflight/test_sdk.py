"""preflight's use of Pulumi SDK internals is fenced in preflight/sdk.py and pinned to the SDK
versions it was checked against: an upgrade fails here, loudly, until sdk.py is re-verified."""

import ast
import re

from preflight import sdk
from tests.conftest import ROOT


def test_installed_sdk_is_the_one_preflight_was_written_for():
    problems = sdk.version_mismatches()
    assert not problems, (
        "preflight/sdk.py reaches into Pulumi SDK internals checked only against "
        f"{sdk.WRITTEN_FOR}; re-verify every import there, then update WRITTEN_FOR: "
        + "; ".join(problems)
    )


def test_requirements_pin_the_same_versions():
    pins = dict(
        re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line).groups()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if re.match(r"^[A-Za-z0-9_.-]+==", line)
    )
    for dist, version in sdk.WRITTEN_FOR.items():
        assert pins.get(dist) == version, f"requirements.txt pins {dist}=={pins.get(dist)}"


def test_a_different_version_is_named(monkeypatch):
    monkeypatch.setattr(sdk.metadata, "version", lambda dist: "99.0.0")
    problems = sdk.version_mismatches()
    assert problems == [
        f"{dist}: installed 99.0.0, preflight/sdk.py was written for {wanted}"
        for dist, wanted in sdk.WRITTEN_FOR.items()
    ]


def test_no_other_preflight_module_imports_sdk_internals():
    for path in sorted((ROOT / "preflight").glob("*.py")):
        if path.name == "sdk.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("pulumi.runtime", "pulumi.policy", "pulumi_policy")), (
                    f"{path.name} imports {name}: SDK internals belong in preflight/sdk.py"
                )
