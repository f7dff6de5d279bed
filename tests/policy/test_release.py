"""The policy pack as a release: its version and fingerprint in CHANGELOG.md, a fingerprint that
sees behaviour and not formatting, and a built pack that imports nothing from this checkout."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import policypack
from tests.conftest import ROOT, run_preflight

ENTRY = re.compile(r"^Policy pack (\S+)(?: \(fingerprint ([0-9a-f]{64})\))?$", re.M)


def _entries() -> list[tuple[str, str | None]]:
    return ENTRY.findall((ROOT / "CHANGELOG.md").read_text())


def test_the_changelog_names_the_pack_version_and_its_fingerprint():
    version, recorded = _entries()[0]
    assert version == policypack.pack_version(), (
        "policy/PulumiPolicy.yaml's version is not the newest CHANGELOG.md entry's"
    )
    assert recorded == policypack.fingerprint(), (
        "the policy pack changed: record `python scripts/policypack.py fingerprint` in "
        "CHANGELOG.md (and bump policy/PulumiPolicy.yaml's version if that entry is released)"
    )


def test_released_pack_versions_are_never_reused():
    versions = [version for version, _ in _entries()]
    assert len(versions) == len(set(versions)) and len(versions) >= 2


def _copy(tmp_path: Path) -> Path:
    for path in policypack.shipped_files():
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return tmp_path


def test_the_fingerprint_sees_behaviour_not_formatting(tmp_path):
    copy = _copy(tmp_path)
    before = policypack.fingerprint(copy)
    rule = copy / "policy" / "router_ha_needs_three_nodes.py"
    rule.write_text("# a comment\n\n" + rule.read_text().replace("\n", "\n\n", 3))
    assert policypack.fingerprint(copy) == before
    endpoints = copy / "catalog" / "endpoints.py"
    endpoints.write_text(
        endpoints.read_text().replace(
            "REQUEST_TIMEOUT_MS_MAX = 180000", "REQUEST_TIMEOUT_MS_MAX = 180001"
        )
    )
    assert policypack.fingerprint(copy) != before


@pytest.mark.process
def test_the_built_pack_stands_alone_and_judges_as_the_repositorys(tmp_path):
    pack = tmp_path / "pack"
    done = subprocess.run(
        [sys.executable, "scripts/policypack.py", "build", str(pack)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (pack / "requirements.txt").read_text().startswith("pulumi==")
    # Run in the pack directory with no PYTHONPATH, as Pulumi runs a published pack: every
    # module of ours it loads comes from the pack itself.
    probe = (
        "import json, sys\n"
        "from policy import pack\n"
        "pack.policies()\n"
        "print(json.dumps(sorted(m.__file__ for n, m in list(sys.modules.items())\n"
        "    if n.split('.')[0] in ('policy', 'catalog', 'router', 'common')\n"
        "    and getattr(m, '__file__', None))))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=pack, capture_output=True, text=True, env=env
    )
    assert loaded.returncode == 0, loaded.stderr
    modules = json.loads(loaded.stdout)
    assert modules and all(m.startswith(str(pack)) for m in modules)
    judged = [
        json.loads(run_preflight("check", "--stack", "prod", "--format", "json", *extra).stdout)
        for extra in ((), ("--policy-pack", str(pack)))
    ]
    assert judged[0]["violations"] == judged[1]["violations"]
    assert judged[1]["policyPack"]["version"] == policypack.pack_version()
