"""extension-valid-combination: the settings combinations the az CLI rejects, for programs that
create the extension without it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import (
    INTERNAL_LB_KEY,
    NODE_PORT_KEY,
    PROTECTED_SETTINGS,
    SETTINGS,
    SSL_CERT_KEY,
    SSL_KEY_KEY,
    SSL_SECRET_KEY,
    ExtensionConfigError,
    is_true,
)
from catalog.extension_cli import validate
from policy.resources import Graph, get, keys, peek
from policy.rule import Context, Finding, Rule

NAME = "extension-valid-combination"
# Internal spellings -> the user-facing setting the CLI validated before rewriting it (a value
# of None: the same value; else the value the internal flag stands for).
_USER_FACING = {
    SSL_SECRET_KEY: ("sslSecret", None),
    NODE_PORT_KEY: ("inferenceRouterServiceType", "nodePort"),
    INTERNAL_LB_KEY: ("internalLoadBalancerProvider", "azure"),
}
_USED = (*SETTINGS, *PROTECTED_SETTINGS)
# Settings whose presence is what counts: an unknown value (an output) will be a real one.
_PRESENCE = frozenset({"sslSecret", "sslCname", "sslCertPemFile", "sslKeyPemFile"})
_UNKNOWN_BUT_SET = "(set at deploy time)"


class _UserSettings(Mapping):
    """The documented settings as the CLI saw them, each read only when validation asks, so a
    value unknown at preview stops the policy only when it decides."""

    def __init__(self, settings):
        self._settings = settings
        present = keys(settings)
        self._where = {key: (key, None) for key in _USED if key in present}
        for internal, (key, value) in _USER_FACING.items():
            if internal in present and key not in self._where:
                self._where[key] = (internal, value)

    def __getitem__(self, key: str) -> str:
        source, value = self._where[key]
        if value is not None:  # an internal flag: "True" means the user-facing value
            return value if is_true(get(self._settings, source)) else ""
        if key in _PRESENCE:
            known = peek(self._settings, source)
            return _UNKNOWN_BUT_SET if known is None else str(known)
        return str(get(self._settings, source))

    def __iter__(self):
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        settings = _UserSettings(get(extension.props, "configurationSettings", default={}))
        protected = keys(get(extension.props, "configurationProtectedSettings", default={}))
        # Protected values are secrets: only their presence counts.
        try:
            validate(
                settings,
                {key: _UNKNOWN_BUT_SET for key in protected if key in _USED},
                pem_pair={SSL_CERT_KEY, SSL_KEY_KEY} <= protected,
            )
        except ExtensionConfigError as err:
            yield Finding(extension, f"{err.key}: {err} (the az CLI rejects this combination)")


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="Extension settings the az CLI would reject: no workload, no router service type, HTTPS "
    "without cname or certificate, nodePort with an internal load balancer.",
    why="The CLI refuses these combinations before calling ARM; a program that bypasses it gets an "
    "extension that fails to install or serves nothing.",
    fix="Enable training and/or inference; with inference set inferenceRouterServiceType "
    "(loadBalancer, nodePort, clusterIP); for HTTPS set sslCname and sslSecret or the PEM pair, "
    "or allowInsecureConnections for dev/test; use internalLoadBalancerProvider only with "
    "loadBalancer.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension#review-azure-machine-learning-extension-configuration-settings",
    check=check,
)
