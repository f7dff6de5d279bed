"""Stack policies: a remediate-level one still violating counts as mandatory (scenario 10 of
validate_stack); a violation naming a resource keeps it; one naming no resource of the stack is
the stack's."""

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy


def no_foo_bar(args, report_violation):
    for r in args.resources:
        if (
            r.resource_type == "pulumi-nodejs:dynamic:Resource"
            and r.props.get("value") == "original"
        ):
            report_violation("'value' must not be 'original'.", r.urn)


def bogus_urn(args, report_violation):
    report_violation("names a resource that does not exist", "urn:pulumi:nope::nope::x:y:Z::nope")


def no_uuid_without_keepers(args, report_violation):
    for r in args.resources:
        if r.resource_type == "random:index/randomUuid:RandomUuid" and not r.props.get("keepers"):
            report_violation("RandomUuid must not have an empty 'keepers'.")


PolicyPack(
    name="validate-stack-test-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        StackValidationPolicy(
            name="dynamic-no-value-original",
            description="Prohibits value 'original' on dynamic resources.",
            enforcement_level=EnforcementLevel.REMEDIATE,
            validate=no_foo_bar,
        ),
        StackValidationPolicy(
            name="bogus-urn",
            description="Reports a URN that is not in the stack.",
            enforcement_level=EnforcementLevel.ADVISORY,
            validate=bogus_urn,
        ),
        StackValidationPolicy(
            name="randomuuid-no-keepers",
            description="Prohibits creating a RandomUuid without any 'keepers'.",
            validate=no_uuid_without_keepers,
        ),
    ],
)
