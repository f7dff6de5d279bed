"""extension-valid-combination: the settings combinations the az CLI rejects, for programs that
create the extension without it."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import extension as catalog_extension
from policy.resources import Graph, get, keys
from policy.rule import Context, Finding, Rule

NAME = "extension-valid-combination"
# Internal spellings -> the user-facing setting the CLI validated before rewriting it.
_USER_FACING = {
    catalog_extension.SSL_SECRET_KEY: ("sslSecret", None),
    catalog_extension.NODE_PORT_KEY: ("inferenceRouterServiceType", "nodePort"),
    catalog_extension.INTERNAL_LB_KEY: ("internalLoadBalancerProvider", "azure"),
}
_USED = (*catalog_extension.SETTINGS, *catalog_extension.PROTECTED_SETTINGS)


def _user_settings(settings) -> dict[str, str]:
    """The documented keys the CLI validates, read back from internal spellings when needed."""
    present = keys(settings)
    out = {key: str(get(settings, key)) for key in _USED if key in present}
    for internal, (key, value) in _USER_FACING.items():
        if internal in present and key not in out:
            if value is None:
                out[key] = str(get(settings, internal))
            elif catalog_extension.is_true(get(settings, internal)):
                out[key] = value
    return out


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        protected = keys(get(extension.props, "configurationProtectedSettings", default={}))
        user = _user_settings(settings)
        # Protected values are secrets: only their presence counts.
        protected_keys = {key: "set" for key in protected if key in _USED}
        pem_pair = {catalog_extension.SSL_CERT_KEY, catalog_extension.SSL_KEY_KEY} <= protected
        both = sorted(set(user) & set(protected_keys))
        try:
            if both:
                raise catalog_extension.ExtensionConfigError(
                    both[0], f"'{both[0]}' is set both as a setting and as a protected setting."
                )
            catalog_extension.validate(user, protected_keys, pem_pair=pem_pair)
        except catalog_extension.ExtensionConfigError as err:
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
