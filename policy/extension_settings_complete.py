"""extension-settings-complete: an Azure ML extension created with only the documented keys
installs but does not work; the az CLI adds internal keys first (terraform-provider-azurerm
#24547)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import extension as catalog_extension
from policy.resources import Graph, get, keys
from policy.rule import Context, Finding, Rule

NAME = "extension-settings-complete"


def _expected(settings, present: set[str]) -> list[str]:
    """Internal keys the CLI would have written for these settings."""
    wanted = list(catalog_extension.CLI_FILLED_KEYS)
    inference = catalog_extension.is_true(get(settings, "enableInference"))
    if inference:
        service = str(get(settings, "inferenceRouterServiceType", default="")).lower()
        if service == "nodeport":
            wanted.append(catalog_extension.NODE_PORT_KEY)
        elif str(get(settings, "internalLoadBalancerProvider", default="")).lower() == "azure":
            wanted.append(catalog_extension.INTERNAL_LB_KEY)
        if "sslSecret" in present:
            wanted.append(catalog_extension.SSL_SECRET_KEY)
    if "relayserver.enabled" in present and catalog_extension.is_true(
        get(settings, "relayserver.enabled")
    ):
        wanted.append("relayserver.hybridConnectionResourceID")
    return [key for key in wanted if key not in present]


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        protected_values = get(extension.props, "configurationProtectedSettings", default={})
        present, protected = keys(settings), keys(protected_values)
        missing = _expected(settings, present)
        if (
            catalog_extension.is_true(get(settings, "enableInference"))
            and {
                "sslCertPemFile",
                "sslKeyPemFile",
            }
            <= protected
        ):
            missing += [
                k
                for k in (catalog_extension.SSL_CERT_KEY, catalog_extension.SSL_KEY_KEY)
                if k not in protected
            ]
        relay = "relayserver.enabled" in present and catalog_extension.is_true(
            get(settings, "relayserver.enabled")
        )
        if relay and not (
            {
                catalog_extension.RELAY_CONNECTION_KEY,
                *catalog_extension.ALIASES[catalog_extension.RELAY_CONNECTION_KEY],
            }
            & (protected | present)
        ):
            missing.append(f"{catalog_extension.RELAY_CONNECTION_KEY} (protected)")
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
