"""Both policies read RandomPet's prefix, which is another resource's computed output: unknown
at preview, so neither can run. The level of both comes from stack config (`level`)."""

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

level = EnforcementLevel(pulumi.Config().get("level") or "mandatory")


def resource(args, report_violation):
    if args.resource_type == "random:index/randomPet:RandomPet":
        print(args.props["prefix"])


def stack(args, report_violation):
    for r in args.resources:
        if r.resource_type == "random:index/randomPet:RandomPet":
            print(r.props["prefix"])


PolicyPack(
    name="unknown-values-policy",
    enforcement_level=level,
    policies=[
        ResourceValidationPolicy(
            name="unknown-values-resource-validation",
            description="Accesses unknown values during preview.",
            validate=resource,
        ),
        StackValidationPolicy(
            name="unknown-values-stack-validation",
            description="Accesses unknown values during preview.",
            validate=stack,
        ),
    ],
)
