"""Reports a mandatory violation for each thing the engine passes that preflight got wrong:
runtime data, stack tags, resource options, providers, parents and dependencies, the stack's
outputs. A clean check means every expectation held."""

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

STRING = "random:index/randomString:RandomString"


def expect(report, what, got, wanted):
    if got != wanted:
        report(f"{what}: got {got!r}, expected {wanted!r}")


def runtime(report):
    config = pulumi.Config()
    expect(report, "config aConfigValue", config.get("aConfigValue"), "this value is a value")
    expect(report, "config big length", len(config.get("big") or ""), config.get_int("bigLength"))
    expect(report, "stack", pulumi.get_stack(), "engine")
    expect(report, "project", pulumi.get_project(), "policy-scenarios")
    expect(report, "dry run", pulumi.runtime.is_dry_run(), True)


def resource(args, report_violation):
    runtime(report_violation)
    expect(report_violation, "stack tags", dict(args.stack_tags), {"foo": "bar", "hello": "world"})
    if args.name == "options":
        opts = args.opts
        expect(report_violation, "protect", opts.protect, True)
        expect(report_violation, "ignore_changes", list(opts.ignore_changes), ["length"])
        expect(report_violation, "delete_before_replace", opts.delete_before_replace, True)
        timeouts = (opts.custom_timeouts.create_seconds, opts.custom_timeouts.update_seconds)
        expect(report_violation, "custom timeouts", timeouts, (120, 5400))
        expect(report_violation, "secret outputs", list(opts.additional_secret_outputs), ["result"])
        expect(report_violation, "parent", (opts.parent or "").split("::")[-1], "parent")
        expect(
            report_violation,
            "provider type",
            args.provider.resource_type,
            "pulumi:providers:random",
        )
        expect(report_violation, "provider version", args.provider.props.get("version"), "4.16.0")
        expect(report_violation, "provider extra", args.provider.props.get("extra"), "yes")
    elif args.name == "secretive":
        expect(report_violation, "secret", args.props.get("secret"), "shh-value")
        nested = args.props["nested"]["list"]
        expect(report_violation, "nested", [nested[0], nested[1]], [1, "two"])
    elif args.name == "str":
        expect(report_violation, "default provider", args.provider.name, "default")
        expect(report_violation, "default provider config", args.provider.props.get("seed"), "42")
        expect(
            report_violation, "delete_before_replace unset", args.opts.delete_before_replace, None
        )


def stack(args, report_violation):
    runtime(report_violation)
    by_name = {r.name: r for r in args.resources}
    options = by_name.get("options")
    if options is None:
        report_violation("resource 'options' is missing")
        return
    expect(report_violation, "options parent", options.parent and options.parent.name, "parent")
    expect(
        report_violation,
        "options dependencies",
        sorted(d.name for d in options.dependencies),
        ["str"],
    )
    expect(
        report_violation,
        "property dependencies",
        sorted(d.name for d in options.property_dependencies.get("length", [])),
        ["str"],
    )
    stacks = [r for r in args.resources if r.resource_type == "pulumi:pulumi:Stack"]
    expect(report_violation, "stack outputs", stacks and stacks[0].props.get("greeting"), "hello")
    child = by_name.get("parent-child")
    expect(
        report_violation, "child's parent", child and child.parent and child.parent.name, "parent"
    )


PolicyPack(
    name="runtime-data-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(name="resource", description="Engine data", validate=resource),
        StackValidationPolicy(name="stack", description="Engine data", validate=stack),
    ],
)
