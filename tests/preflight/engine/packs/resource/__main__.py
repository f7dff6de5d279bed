"""A resource policy whose violations carry a bogus URN: the engine files them under the
analyzed resource all the same."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def no_keepers(args, report_violation):
    if args.resource_type == "random:index/randomUuid:RandomUuid" and not args.props.get("keepers"):
        report_violation(
            "RandomUuid must not have an empty 'keepers'.", "urn:pulumi:x::y::z:z:Z::w"
        )


PolicyPack(
    name="validate-resource-test-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="randomuuid-no-keepers",
            description="Prohibits creating a RandomUuid without any 'keepers'.",
            validate=no_keepers,
        )
    ],
)
