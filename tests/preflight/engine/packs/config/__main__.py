"""Each policy declares the schema the scenario names (stack config `schema`) and reports a
mandatory violation when the config it receives is not the one the scenario expects (stack config
`expect`, JSON), so a wrong reconciliation fails the check."""

import json

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

config = pulumi.Config()
SCHEMAS = {
    "string": {"foo": {"type": "string"}},
    "default-string": {"foo": {"type": "string", "default": "bar"}},
    "default-number": {"foo": {"type": "number", "default": 42}},
    "required-default": {"foo": {"type": "string", "default": "bar"}},
    "required": {"foo": {"type": "string"}},
    "default-wrong-type": {"foo": {"type": "string", "default": 1}},
    "default-too-long": {"foo": {"type": "string", "maxLength": 3, "default": "this is too long"}},
    "default-too-short": {"foo": {"type": "string", "minLength": 50, "default": "bar"}},
    "enum": {"foo": {"type": "string", "enum": ["bar", "baz"], "default": "blah"}},
    "const": {"foo": {"const": "bar", "default": "blah"}},
    "two": {"foo": {"type": "string", "maxLength": 3}, "bar": {"type": "integer"}},
    "any": {"foo": {}},
}
name = config.get("schema") or "string"
required = ["foo"] if name.startswith("required") else None
schema = PolicyConfigSchema(properties=SCHEMAS[name], required=required)
expect = json.loads(config.get("expect") or "null")


def check(args, report_violation):
    got = args.get_config()
    if got != expect:
        report_violation(f"config was {json.dumps(got)}, expected {json.dumps(expect)}")


def resource(args, report_violation):
    if args.name == "str":
        check(args, report_violation)


initial = {"resource-validation": {"foo": "hello world"}} if config.get_bool("initial") else None

PolicyPack(
    name="config-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    initial_config=initial,
    policies=[
        ResourceValidationPolicy(
            name="resource-validation",
            description="Verifies policy config during resource validation.",
            validate=resource,
            config_schema=schema,
        ),
        StackValidationPolicy(
            name="stack-validation",
            description="Verifies policy config during stack validation.",
            validate=check if not initial else lambda args, report: None,
            config_schema=schema,
        ),
    ],
)
