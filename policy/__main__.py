"""The azureml-k8s policy pack: `pulumi preview --policy-pack policy` (or python -m preflight check)."""

import sys
from pathlib import Path

# The CLI runs the pack from this directory; the shared catalog lives one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy import no_hpa_on_model_deployments, router_ha_needs_three_nodes  # noqa: E402

PolicyPack(
    name="azureml-k8s",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[no_hpa_on_model_deployments.POLICY, router_ha_needs_three_nodes.POLICY],
)
