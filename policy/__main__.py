"""The azureml-k8s policy pack: `pulumi preview --policy-pack policy` (or python -m preflight check).

The packages it reads (policy, catalog, router, common) are installed into the project's .venv
(`make`), and sit beside this file in the published pack (`make policy-pack`).
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policy import pack

PolicyPack(name=pack.NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=pack.policies())
