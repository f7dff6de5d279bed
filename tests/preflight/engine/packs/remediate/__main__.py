"""`fixup` (remediate) sets the dynamic resource's value from its config; the mandatory checks
then see the remediated value, in Analyze and in AnalyzeStack, only if remediation ran first."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

DYNAMIC = "pulumi-nodejs:dynamic:Resource"


def fixup(args):
    if args.resource_type != DYNAMIC or args.name != "a":
        return None
    wanted = args.get_config()["value"]
    if args.props["value"] != wanted:
        return {**args.props, "value": wanted}
    return None


def resource(args, report_violation):
    if args.resource_type == DYNAMIC and args.name == "a" and args.props["value"] != "fixed":
        report_violation(f"value is {args.props['value']!r}, not remediated")


def stack(args, report_violation):
    for r in args.resources:
        if r.resource_type == DYNAMIC and r.name == "a" and r.props["value"] != "fixed":
            report_violation(f"stack sees value {r.props['value']!r}, not remediated", r.urn)


PolicyPack(
    name="remediate",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="fixup",
            description="Sets property to config",
            enforcement_level=EnforcementLevel.REMEDIATE,
            remediate=fixup,
            config_schema=PolicyConfigSchema(
                properties={"value": {"type": "string", "default": "fixed"}}
            ),
        ),
        ResourceValidationPolicy(
            name="value-is-remediated", description="Sees remediated inputs", validate=resource
        ),
        StackValidationPolicy(
            name="stack-sees-remediation", description="Sees remediated outputs", validate=stack
        ),
    ],
)
