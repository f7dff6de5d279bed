"""What `az k8s-extension create` does with the Azure ML extension's settings before it calls
ARM: it validates them, rewrites some to the internal `scoringFe.*` keys, fills in facts about
the cluster and, on Arc, names and wires the Azure Relay it creates. Raw ARM calls with only the
documented keys do not work (hashicorp/terraform-provider-azurerm #24547); this reproduces the
CLI, as pure functions on plain strings (the keys and defaults are catalog.extension's).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from catalog import regions
from catalog.aks import HA_MIN_NODES
from catalog.extension import (
    ALIASES,
    INTERNAL_LB_KEY,
    NODE_PORT_KEY,
    RELAY_CONNECTION_KEY,
    SERVICE_TYPES,
    SSL_CERT_KEY,
    SSL_KEY_KEY,
    SSL_SECRET_KEY,
    ClusterFacts,
    ExtensionConfigError,
    is_true,
    wire_bool,
)

_CLI = (
    "Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions/"
    "AzureMLKubernetes.py @ 3f6c0dae"
)


def _lookup(settings: Mapping[str, str], protected: Mapping[str, str], key: str) -> str | None:
    return settings.get(key, protected.get(key))


def validate(
    settings: Mapping[str, str], protected: Mapping[str, str], *, pem_pair: bool = False
) -> None:
    """Every rejection of `az k8s-extension create`, in the CLI's order.

    pem_pair: a PEM certificate and key are supplied other than by protected file paths (from
    secret config), which the CLI would see as the pair sslCertPemFile + sslKeyPemFile.
    Raises ExtensionConfigError naming the key at fault and the fix.
    """
    both = sorted(set(settings) & set(protected))
    if both:
        raise ExtensionConfigError(
            both[0], f"'{both[0]}' is set both as a setting and as a protected setting: keep one."
        )
    training = is_true(_lookup(settings, protected, "enableTraining"))
    inference = is_true(_lookup(settings, protected, "enableInference"))
    if not (training or inference):
        raise ExtensionConfigError(
            "enableTraining",
            "enable training, inference or both: set "
            "enableTraining: true and/or enableInference: true.",
        )
    if not inference:
        return
    insecure = is_true(_lookup(settings, protected, "allowInsecureConnections"))
    ssl_secret = _lookup(settings, protected, "sslSecret")
    pem_pair = pem_pair or (
        bool(protected.get("sslCertPemFile")) and bool(protected.get("sslKeyPemFile"))
    )
    if not (pem_pair or ssl_secret or insecure):
        raise ExtensionConfigError(
            "allowInsecureConnections",
            "HTTPS needs a certificate: set "
            "sslSecret (a Secret in namespace azureml with cert.pem and "
            "key.pem) or the PEM pair sslCertPemFile + sslKeyPemFile; "
            "for an HTTP dev/test endpoint set allowInsecureConnections: "
            "true.",
        )
    if (pem_pair or ssl_secret) and not _lookup(settings, protected, "sslCname"):
        raise ExtensionConfigError(
            "sslCname",
            "HTTPS needs sslCname, the host name clients "
            "use for the scoring endpoint (e.g. scoring.ml.contoso.com).",
        )
    service_type = str(_lookup(settings, protected, "inferenceRouterServiceType") or "")
    if service_type.lower() not in {t.lower() for t in SERVICE_TYPES}:
        raise ExtensionConfigError(
            "inferenceRouterServiceType",
            "inference needs "
            "inferenceRouterServiceType: loadBalancer, nodePort or "
            f"clusterIP (got {service_type!r}).",
        )
    internal_lb = (
        str(_lookup(settings, protected, "internalLoadBalancerProvider")).lower() == "azure"
    )
    if service_type.lower() == "nodeport" and internal_lb:
        raise ExtensionConfigError(
            "internalLoadBalancerProvider",
            "internalLoadBalancerProvider "
            "applies to loadBalancer only: remove it when "
            "inferenceRouterServiceType is nodePort.",
        )


def relay_namespace_name(cluster: ClusterFacts) -> str:
    """The CLI's Azure Relay namespace name: alphanumerics of '<cluster>-<sub>-<rg>-relay', cut
    to 50 characters with an md5 suffix when longer."""
    return _valid_name(
        f"{cluster.name}-{cluster.subscription_id}-{cluster.resource_group}-relay", 50
    )


def _valid_name(raw: str, max_length: int, suffix_length: int = 6) -> str:
    name = re.sub(r"[^A-Za-z0-9]", "", raw)
    if len(name) > max_length:
        digest = hashlib.md5(raw.encode("utf-8")).hexdigest()[:suffix_length]
        name = name[: max_length - suffix_length] + digest
    return name


def cli_configuration(
    settings: Mapping[str, str],
    protected: Mapping[str, str],
    cluster: ClusterFacts,
    *,
    pem: Mapping[str, str] | None = None,
    relay: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `az k8s-extension create` sends as configurationSettings and
    configurationProtectedSettings for these inputs.

    settings / protected: the user's --config / --config-protected key=value pairs.
    pem: the certificate and key (keys sslCertPemFile / sslKeyPemFile), as the CLI reads them from
    the files; they may come from elsewhere (secret config), with no paths in `protected`.
    relay: on Arc, the relay the CLI creates: {"connectionString", "hybridConnectionId"}. Its
    values are passed through untouched (they may be deploy-time values, such as Pulumi Outputs).
    """
    validate(settings, protected, pem_pair=bool(pem))
    out = dict(settings)
    prot = dict(protected)
    training = is_true(_lookup(settings, protected, "enableTraining"))
    inference = is_true(_lookup(settings, protected, "enableInference"))
    # The flags keep the user's spelling when given; otherwise the CLI writes a bool.
    out.setdefault("enableTraining", wire_bool(training))
    out.setdefault("enableInference", wire_bool(inference))
    prot.pop("enableTraining", None)
    prot.pop("enableInference", None)

    if inference:
        _rewrite_inference(settings, protected, pem, out, prot)
    _fill_in_cluster(cluster, out, prot)
    _add_relay(cluster, relay, out, prot)
    for table in (out, prot):
        for source, targets in ALIASES.items():
            if source in table:
                for target in targets:
                    table.setdefault(target, table[source])
    return out, prot


def _rewrite_inference(
    settings: Mapping[str, str],
    protected: Mapping[str, str],
    pem: Mapping[str, str] | None,
    out: dict[str, Any],
    prot: dict[str, Any],
) -> None:
    """The router's service type and TLS, as the CLI rewrites them to the internal keys."""
    service_type = str(_lookup(settings, protected, "inferenceRouterServiceType")).lower()
    if service_type == "nodeport":
        out[NODE_PORT_KEY] = wire_bool(True)
    elif str(_lookup(settings, protected, "internalLoadBalancerProvider")).lower() == "azure":
        out[INTERNAL_LB_KEY] = wire_bool(True)
    if is_true(_lookup(settings, protected, "allowInsecureConnections")):
        return
    if pem or (protected.get("sslCertPemFile") and protected.get("sslKeyPemFile")):
        pem = pem or {}
        for path_key, internal in (
            ("sslCertPemFile", SSL_CERT_KEY),
            ("sslKeyPemFile", SSL_KEY_KEY),
        ):
            if path_key not in pem:
                raise ExtensionConfigError(path_key, f"the contents of {path_key} are needed")
            prot[internal] = base64.b64encode(pem[path_key].encode("ascii")).decode()
    else:
        out[SSL_SECRET_KEY] = str(_lookup(settings, protected, "sslSecret"))


def _fill_in_cluster(cluster: ClusterFacts, out: dict[str, Any], prot: dict[str, Any]) -> None:
    """What the CLI fills in from the cluster: small-cluster defaults, names, regions, flags."""
    if cluster.node_count < HA_MIN_NODES:
        if _lookup(out, prot, "clusterPurpose") is None:
            out["clusterPurpose"] = "DevTest"
        if _lookup(out, prot, "inferenceRouterHA") is None:
            out["inferenceRouterHA"] = "false"
    if cluster.kind == "arc" and cluster.distribution.lower() == "openshift":
        out["openshift"] = "true"
    location = regions.normalize(cluster.location)
    out.setdefault("cluster_name", cluster.resource_id)
    # The CLI reads a misspelt key here, so `domain` is always overwritten.
    out["domain"] = f"{location}.cloudapp.azure.com"
    out.setdefault("location", location)
    out.setdefault("jobSchedulerLocation", location)
    out.setdefault("cluster_name_friendly", cluster.name)
    out.setdefault("servicebus.enabled", "false")
    on_aks = cluster.kind == "aks"
    out.setdefault("relayserver.enabled", "false" if on_aks else "true")
    out.setdefault("nginxIngress.enabled", "true" if on_aks else "false")


def _add_relay(
    cluster: ClusterFacts,
    relay: Mapping[str, Any] | None,
    out: dict[str, Any],
    prot: dict[str, Any],
) -> None:
    """On Arc, the relay's connection string (protected) and hybrid connection."""
    if (
        str(out["relayserver.enabled"]).lower() == "false"
        or RELAY_CONNECTION_KEY in out
        or RELAY_CONNECTION_KEY in prot
    ):
        return
    if not relay:
        raise ExtensionConfigError(
            RELAY_CONNECTION_KEY,
            "an Arc cluster needs the Azure Relay hybrid connection the CLI creates",
        )
    prot[RELAY_CONNECTION_KEY] = relay["connectionString"]
    out["relayserver.hybridConnectionResourceID"] = relay["hybridConnectionId"]
    out["relayserver.hybridConnectionName"] = cluster.name


SOURCES: dict[str, str] = {
    "validate": f"{_CLI} Create: __validate_config and __validate_scoring_fe_settings, in order",
    "relay_namespace_name": f"{_CLI} _get_relay_connection_str / _get_valid_name (50, md5[:6])",
    "cli_configuration": f"{_CLI} Create (fill-ins, small-cluster DevTest, openshift, relay)",
}
