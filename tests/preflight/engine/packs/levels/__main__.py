"""Pack and policy enforcement levels come from stack config, so one pack covers every pairing
of pulumi-policy's enforcementlevel scenarios. Python packs must have a level; "none" for the
policy means it inherits the pack's."""

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

config = pulumi.Config()
pack_level = EnforcementLevel(config.get("packLevel") or "advisory")
policy_level = config.get("policyLevel") or "none"
level = None if policy_level == "none" else EnforcementLevel(policy_level)


def resource(args, report_violation):
    if args.resource_type == "random:index/randomString:RandomString" and args.name == "str":
        report_violation("validate-resource-violation-message")


def stack(args, report_violation):
    report_violation("validate-stack-violation-message")


PolicyPack(
    name="enforcementlevel-test-policy",
    enforcement_level=pack_level,
    policies=[
        ResourceValidationPolicy(
            name="validate-resource",
            description="Always reports a resource violation.",
            enforcement_level=level,
            validate=resource,
        ),
        StackValidationPolicy(
            name="validate-stack",
            description="Always reports a stack violation.",
            enforcement_level=level,
            validate=stack,
        ),
    ],
)
