"""The azureml-k8s policy pack: `pulumi preview --policy-pack policy` (or python -m preflight check)."""

import sys
from pathlib import Path

# The CLI runs the pack from this directory; the shared catalog lives one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy import pack  # noqa: E402

PolicyPack(name=pack.NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=pack.policies())
