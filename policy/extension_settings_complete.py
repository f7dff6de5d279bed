"""extension-settings-complete: an Azure ML extension created with only the documented keys
installs but does not work; the az CLI adds internal keys first (terraform-provider-azurerm
#24547)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import (
    ALIASES,
    CLI_FILLED_KEYS,
    INTERNAL_LB_KEY,
    NODE_PORT_KEY,
    RELAY_CONNECTION_KEY,
    SSL_CERT_KEY,
    SSL_KEY_KEY,
    SSL_SECRET_KEY,
    is_true,
)
from policy.resources import Graph, get, keys
from policy.rule import Context, Finding, Rule

NAME = "extension-settings-complete"


def _missing(settings, protected: set[str]) -> list[str]:
    """Keys the CLI would have written for these settings that the extension lacks."""
    present = keys(settings)
    wanted = list(CLI_FILLED_KEYS)
    if is_true(get(settings, "enableInference")):
        service = str(get(settings, "inferenceRouterServiceType", default="")).lower()
        if service == "nodeport":
            wanted.append(NODE_PORT_KEY)
        elif str(get(settings, "internalLoadBalancerProvider", default="")).lower() == "azure":
            wanted.append(INTERNAL_LB_KEY)
        if "sslSecret" in present:
            wanted.append(SSL_SECRET_KEY)
        if {"sslCertPemFile", "sslKeyPemFile"} <= protected:
            wanted += [key for key in (SSL_CERT_KEY, SSL_KEY_KEY) if key not in protected]
    missing = [key for key in wanted if key not in present]
    if "relayserver.enabled" in present and is_true(get(settings, "relayserver.enabled")):
        if "relayserver.hybridConnectionResourceID" not in present:
            missing.append("relayserver.hybridConnectionResourceID")
        if not {RELAY_CONNECTION_KEY, *ALIASES[RELAY_CONNECTION_KEY]} & (protected | present):
            missing.append(f"{RELAY_CONNECTION_KEY} (protected)")
    return missing


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        missing = _missing(
            get(extension.props, "configurationSettings", default={}),
            keys(get(extension.props, "configurationProtectedSettings", default={})),
        )
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
