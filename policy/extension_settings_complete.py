"""extension-settings-complete: an Azure ML extension created with only the documented keys
installs but does not work; the az CLI adds internal keys first (terraform-provider-azurerm
#24547)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import extension as ml
from policy.resources import Graph, get, keys
from policy.rule import Context, Finding, Rule

NAME = "extension-settings-complete"


def _expected(settings, present: set[str]) -> list[str]:
    """Internal keys the CLI would have written for these settings."""
    wanted = list(ml.CLI_FILLED_KEYS)
    inference = ml.is_true(get(settings, "enableInference"))
    if inference:
        service = str(get(settings, "inferenceRouterServiceType", default="")).lower()
        if service == "nodeport":
            wanted.append(ml.NODE_PORT_KEY)
        elif str(get(settings, "internalLoadBalancerProvider", default="")).lower() == "azure":
            wanted.append(ml.INTERNAL_LB_KEY)
        if "sslSecret" in present:
            wanted.append(ml.SSL_SECRET_KEY)
    if "relayserver.enabled" in present and ml.is_true(get(settings, "relayserver.enabled")):
        wanted.append("relayserver.hybridConnectionResourceID")
    return [key for key in wanted if key not in present]


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        protected_values = get(extension.props, "configurationProtectedSettings", default={})
        present, protected = keys(settings), keys(protected_values)
        missing = _expected(settings, present)
        if (
            ml.is_true(get(settings, "enableInference"))
            and {
                "sslCertPemFile",
                "sslKeyPemFile",
            }
            <= protected
        ):
            missing += [k for k in (ml.SSL_CERT_KEY, ml.SSL_KEY_KEY) if k not in protected]
        relay = "relayserver.enabled" in present and ml.is_true(
            get(settings, "relayserver.enabled")
        )
        if relay and not (
            {ml.RELAY_CONNECTION_KEY, *ml.ALIASES[ml.RELAY_CONNECTION_KEY]} & (protected | present)
        ):
            missing.append(f"{ml.RELAY_CONNECTION_KEY} (protected)")
        if missing:
            yield Finding(
                extension,
                "the Azure ML extension lacks keys the az CLI adds before it calls ARM, so it "
                f"installs but does not work: {', '.join(missing)}. Set them as "
                "`az k8s-extension create` does (cluster id, location, switches, rewritten "
                "scoringFe.* keys) or create the extension with this project's component.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="The Azure ML extension carries the internal keys the az CLI adds, not only the "
    "documented ones.",
    why="`az k8s-extension create` rewrites the documented keys to internal scoringFe.* keys and "
    "fills in cluster facts (cluster id, location, relay and ingress switches). Raw ARM, Bicep, "
    "Terraform or Pulumi with only the documented keys installs an extension that does not work "
    "(hashicorp/terraform-provider-azurerm#24547).",
    fix="Add the keys the CLI adds (see catalog/extension.py cli_configuration for the exact "
    "set), or use this project's AzureMLExtension component.",
    url="https://github.com/hashicorp/terraform-provider-azurerm/issues/24547",
    check=check,
)
