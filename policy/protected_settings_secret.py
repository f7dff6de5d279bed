"""protected-settings-secret: certificates, keys and relay connection strings only in protected
settings (whether protected settings are secret in the state is protected-settings-in-state)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import extension as catalog_extension
from policy.resources import Graph, get, keys, peek
from policy.rule import Context, Finding, Rule

NAME = "protected-settings-secret"
_PROTECTED_PROPERTY = "configurationProtectedSettings"
_SECRET_KEYS = frozenset(
    {
        catalog_extension.SSL_CERT_KEY,
        catalog_extension.SSL_KEY_KEY,
        *catalog_extension.PROTECTED_SETTINGS,
        catalog_extension.RELAY_CONNECTION_KEY,
        *catalog_extension.ALIASES[catalog_extension.RELAY_CONNECTION_KEY],
    }
)
# PEM text, PEM in base64 ("-----BEGIN" encodes to "LS0tLS1CRUdJTi"), or a Service Bus / Relay
# connection string with its shared access key.
_SECRET_VALUE = re.compile(r"-----BEGIN |LS0tLS1CRUdJT|SharedAccessKey=", re.IGNORECASE)


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        plain = sorted(keys(settings) & _SECRET_KEYS)
        # Values are read only to look for secret material; unknown ones cannot hold a literal.
        plain += sorted(
            key
            for key in keys(settings) - _SECRET_KEYS
            if isinstance(peek(settings, key), str) and _SECRET_VALUE.search(peek(settings, key))
        )
        if plain:
            yield Finding(
                extension,
                f"configurationSettings holds secret material under {', '.join(plain)} (values "
                "not shown): move it to configurationProtectedSettings, from secret config.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    what="Certificates, keys and relay connection strings only in protected settings.",
    why="configurationSettings are readable by anyone who can read the extension (ARM, the "
    "portal, the Pulumi state); a TLS key or relay connection string there is leaked.",
    fix="Put scoringFe.sslCert/sslKey and relayServerConnectionString in "
    "configurationProtectedSettings, from secret config.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-inferencing-communication",
    check=check,
)
