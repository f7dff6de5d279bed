"""protected-settings-in-state: protected settings marked secret where a policy can see it.

Advisory: the policy SDK hands policies secret values unwrapped, so a program that passes
protected settings as secret inputs (Output.secret, secret config), which Pulumi keeps secret in
the state, looks the same as one that passes them in clear. The one mark a policy can see is the
`additionalSecretOutputs` option; its absence is worth a look, not a failed gate.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policy.resources import Graph, get, keys
from policy.rule import Context, Finding, Rule

NAME = "protected-settings-in-state"
_PROTECTED_PROPERTY = "configurationProtectedSettings"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        protected = keys(get(extension.props, _PROTECTED_PROPERTY, default={}))
        if protected and _PROTECTED_PROPERTY not in (
            extension.opts.additional_secret_outputs or []
        ):
            yield Finding(
                extension,
                f"{_PROTECTED_PROPERTY} is not in additionalSecretOutputs: unless every value is "
                "a secret input (which policies cannot see), the state holds it in clear text. "
                f'Add ResourceOptions(additional_secret_outputs=["{_PROTECTED_PROPERTY}"]).',
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="The extension's protected settings are kept secret in the Pulumi state.",
    why="Protected settings hold the router's TLS key and the relay connection string; Pulumi "
    "keeps them secret in the state only when they are secret inputs or listed in "
    "additionalSecretOutputs, and policies can only see the latter.",
    fix='Add additional_secret_outputs=["configurationProtectedSettings"] to the extension\'s '
    "resource options (and pass the values from secret config).",
    url="https://www.pulumi.com/docs/iac/concepts/secrets/",
    check=check,
)
