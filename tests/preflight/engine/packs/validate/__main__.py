"""A policy per forbidden `state` of dynamic resources, as validate_resource's pack has; the huge
resource of scenario 11 only has to arrive."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def no_state(value):
    def validate(args, report_violation):
        if (
            args.resource_type == "pulumi-nodejs:dynamic:Resource"
            and args.props.get("state") == value
        ):
            report_violation(f"'state' must not have the value {value}.")

    return ResourceValidationPolicy(
        name=f"dynamic-no-state-with-value-{value}",
        description=f"Prohibits setting state to {value} on dynamic resources.",
        validate=validate,
    )


def huge_arrives(args, report_violation):
    if args.name == "huge" and len(args.props["data"]) < 5 * 1024 * 1024:
        report_violation("the huge property arrived cut")


PolicyPack(
    name="validate-resource-test-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        no_state(1),
        no_state(2),
        ResourceValidationPolicy(
            name="large-messages", description="Receives over 4 MB", validate=huge_arrives
        ),
    ],
)
