"""Documented outbound hosts: who needs each one, when it is first needed, and where it is written.

One catalog for every egress rule the platform needs: the firewall's rule collection groups, the
`python -m preflight hosts` listing and the egress-covers-documented-hosts policy all read it.

Host patterns carry placeholders filled from the stack: `<region>` (the cluster's region),
`<cluster>` (its name), `<account>` (the workspace's storage account) and `<acr>` (the workspace's
container registry). A placeholder left unfilled stays in the host as written, so a listing shows
what is missing; the policy reads it as "any single DNS label".

Phases follow the order in which the inference router needs its hosts (seeds/002 and seeds/003:
router deploy -> router start -> router running -> model deploy -> serving), with the cluster's own
setup before them and training jobs and the team's extra hosts after them.

Where two documents disagree, both entries are kept, each with its source:
- seeds/002 and 003 name the API server `<cluster>.hcp.<region>.azmk8s.io`; AKS's outbound rules
  page names `*.hcp.<region>.azmk8s.io` (the real FQDN carries a hash after the DNS prefix).
- seeds/002 lists `<account>.table.core.windows.net`; seeds/003 (the German edition) does not;
  the Learn firewall page lists `*.table.core.windows.net` for system logs.
- the seeds' telemetry host `ingest-vienna<region>.kusto.windows.net` and the Learn firewall
  page's `*.kusto.windows.net`.
- NTP: the AKS page allows `*:123` or, with Azure Firewall network rules, `ntp.ubuntu.com:123`, and
  says nodes provisioned after March 2021 no longer need it; it is kept (the issue asks for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# When a host is first needed, in order.
PHASES = (
    "cluster setup",
    "router deploy",
    "router start",
    "router running",
    "model deploy",
    "serving",
    "training job",
    "any",
)
# Who needs a host; rule collection groups follow this order.
WHY = ("aks", "arc", "gpu", "extension", "inference", "workspace", "training", "extra")
PROTOCOLS = ("https", "http", "tcp", "udp")
# Application rules (FQDN filtering) speak HTTP(S); everything else is a network rule.
APPLICATION_PROTOCOLS = frozenset({"https", "http"})
PLACEHOLDER = re.compile(r"<(region|cluster|account|acr)>")
# A host as a firewall takes it: an FQDN, optionally with a leading `*.` wildcard.
HOST = re.compile(
    r"^(\*\.)?(?=.{1,253}$)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# The service tag of Azure's public cloud; `AzureCloud.<region>` narrows it to a region.
CLOUD_TAG = "AzureCloud"

_SEEDS = "seeds/002, seeds/003"
_SEED_002 = "seeds/002 DNS table (absent from seeds/003)"
_AKS = "Learn AKS outbound-rules-control-egress: required FQDN rules"
_AKS_NET = "Learn AKS outbound-rules-control-egress: required network rules"
_AKS_EXT = "Learn AKS outbound-rules-control-egress: cluster extensions"
_AKS_GPU = "Learn AKS outbound-rules-control-egress: GPU enabled clusters"
_AML = "Learn how-to-access-azureml-behind-firewall: Kubernetes compute"
_ARC = "Learn Azure Arc-enabled Kubernetes network-requirements"
_FACTS = "platform-facts section 5 (current Learn AKS outbound rules page)"


@dataclass(frozen=True)
class Host:
    """One documented egress rule. `needs` names the feature that needs it (see `Features`);
    `phase` is when it is first needed, `inference_phase` overrides it when inference is on."""

    host: str
    port: int
    protocol: str
    why: str
    phase: str
    source: str
    needs: str
    inference_phase: str | None = None


@dataclass(frozen=True)
class Features:
    """What a stack enables, as far as egress goes; names left None stay placeholders."""

    kind: str  # "aks" | "arc"
    region: str | None
    training: bool
    inference: bool
    gpu: bool
    private_cluster: bool = False
    cluster: str | None = None
    storage_account: str | None = None
    container_registry: str | None = None


@dataclass(frozen=True)
class Rule:
    """An egress rule a stack needs, placeholders filled."""

    host: str
    port: int
    protocol: str
    why: str
    phase: str
    source: str

    @property
    def application(self) -> bool:
        return self.protocol in APPLICATION_PROTOCOLS

    def as_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "protocol": self.protocol,
            "why": self.why,
            "phase": self.phase,
            "source": self.source,
        }


def _hosts(
    names: str,
    port: int,
    protocol: str,
    why: str,
    phase: str,
    source: str,
    needs: str,
    inference_phase: str | None = None,
) -> list[Host]:
    return [
        Host(name, port, protocol, why, phase, source, needs, inference_phase)
        for name in names.split()
    ]


HOSTS: tuple[Host, ...] = (
    # AKS core: node bootstrap, images, the API server (before anything of Azure ML runs).
    *_hosts("*.hcp.<region>.azmk8s.io", 443, "https", "aks", "cluster setup", _AKS, "aks_public"),
    *_hosts(
        "mcr.microsoft.com *.data.mcr.microsoft.com management.azure.com "
        "login.microsoftonline.com packages.microsoft.com acs-mirror.azureedge.net",
        443,
        "https",
        "aks",
        "cluster setup",
        _AKS,
        "aks",
    ),
    *_hosts("mcr-0001.mcr-msedge.net", 443, "https", "aks", "cluster setup", _FACTS, "aks"),
    *_hosts(f"{CLOUD_TAG}.<region>", 1194, "udp", "aks", "cluster setup", _AKS_NET, "aks_public"),
    *_hosts(f"{CLOUD_TAG}.<region>", 9000, "tcp", "aks", "cluster setup", _AKS_NET, "aks_public"),
    *_hosts("ntp.ubuntu.com", 123, "udp", "aks", "cluster setup", _AKS_NET, "aks"),
    # Arc agents (the cluster is already connected; onboarding-only hosts are left out).
    *_hosts(
        "management.azure.com <region>.dp.kubernetesconfiguration.azure.com "
        "login.microsoftonline.com <region>.login.microsoft.com login.windows.net "
        "mcr.microsoft.com *.data.mcr.microsoft.com gbl.his.arc.azure.com *.his.arc.azure.com "
        "guestnotificationservice.azure.com *.guestnotificationservice.azure.com sts.windows.net",
        443,
        "https",
        "arc",
        "cluster setup",
        _ARC,
        "arc",
    ),
    *_hosts(
        "*.servicebus.windows.net",
        443,
        "https",
        "arc",
        "cluster setup",
        f"{_ARC} (websockets must pass the firewall or proxy)",
        "arc",
    ),
    # GPU nodes: driver installation.
    *_hosts(
        "nvidia.github.io us.download.nvidia.com download.docker.com",
        443,
        "https",
        "gpu",
        "cluster setup",
        _AKS_GPU,
        "gpu",
    ),
    # Cluster extensions (the Azure ML extension's install deploys the router).
    *_hosts(
        "<region>.dp.kubernetesconfiguration.azure.com mcr.microsoft.com "
        "*.data.mcr.microsoft.com arcmktplaceprod.azurecr.io *.ingestion.msftcloudes.com "
        "*.microsoftmetrics.com",
        443,
        "https",
        "extension",
        "router deploy",
        _AKS_EXT,
        "aks",
    ),
    # The router, in the order the seeds give.
    *_hosts(
        "<cluster>.hcp.<region>.azmk8s.io",
        443,
        "https",
        "aks",
        "router deploy",
        f"{_SEEDS}: the AKS API server",
        "aks_public_inference",
    ),
    *_hosts(
        "mcr.microsoft.com",
        443,
        "https",
        "inference",
        "router deploy",
        f"{_SEEDS}: router images",
        "inference",
    ),
    *_hosts(
        "<account>.blob.core.windows.net",
        443,
        "https",
        "workspace",
        "router running",
        f"{_SEEDS}: dynamic configuration, models",
        "inference",
    ),
    *_hosts(
        "<account>.table.core.windows.net",
        443,
        "https",
        "workspace",
        "router running",
        _SEED_002,
        "inference",
    ),
    *_hosts(
        "api.azureml.ms",
        443,
        "https",
        "inference",
        "router running",
        f"{_SEEDS}: Microsoft Entra token authentication",
        "inference",
    ),
    *_hosts(
        "ingest-vienna<region>.kusto.windows.net",
        443,
        "https",
        "inference",
        "router running",
        f"{_SEEDS}: telemetry upload",
        "inference",
    ),
    *_hosts(
        "<acr>.azurecr.io",
        443,
        "https",
        "workspace",
        "model deploy",
        f"{_SEEDS}: model images",
        "inference",
    ),
    # Azure ML on Kubernetes compute, training and inference (Learn firewall page).
    *_hosts(
        "*.kusto.windows.net *.table.core.windows.net *.queue.core.windows.net",
        443,
        "https",
        "extension",
        "training job",
        f"{_AML}: system logs",
        "ml",
        "router running",
    ),
    *_hosts(
        "<acr>.azurecr.io <acr>.<region>.data.azurecr.io",
        443,
        "https",
        "workspace",
        "training job",
        f"{_AML}: workload images",
        "ml",
        "model deploy",
    ),
    *_hosts(
        "<account>.blob.core.windows.net",
        443,
        "https",
        "workspace",
        "training job",
        f"{_AML}: scripts, data, models, logs",
        "ml",
        "router running",
    ),
    *_hosts(
        # The workspace id is a GUID the stack does not hold: its wildcard stands for it.
        "*.workspace.<region>.api.azureml.ms <region>.experiments.azureml.net "
        "<region>.api.azureml.ms",
        443,
        "https",
        "workspace",
        "training job",
        f"{_AML}: service API",
        "ml",
        "router running",
    ),
    *_hosts("pypi.org", 443, "https", "training", "training job", f"{_AML}: pip", "training"),
    *_hosts(
        "archive.ubuntu.com security.ubuntu.com ppa.launchpad.net",
        80,
        "http",
        "training",
        "training job",
        f"{_AML}: security patches",
        "training",
    ),
)

# The router's Service, whose load balancer IP the sslCname record points at (Learn "Configure a
# secure online endpoint with TLS/SSL": the azureml-fe service in the azureml namespace).
ROUTER_SERVICE = "azureml-fe"
ROUTER_SERVICE_NAMESPACE = "azureml"

# Hosts the documents list that never apply to this platform, and why.
NOT_APPLICABLE: dict[str, str] = {
    "<label>.<region>.cloudapp.azure.com": (
        "seeds/002: only for an endpoint domain auto-generated by the v1 flow; this platform "
        "serves on sslCname (a custom domain) or the load balancer's IP"
    ),
    "k8connecthelm.azureedge.net": (
        f"{_ARC}: onboarding only (az connectedk8s connect); the platform attaches clusters that "
        "are already connected"
    ),
    "marketplaceapi.microsoft.com": (
        f"{_AKS_EXT}: metering of marketplace extensions; the Azure ML extension is not one"
    ),
}


def _applies(needs: str, features: Features) -> bool:
    aks = features.kind == "aks"
    return {
        "aks": aks,
        "aks_public": aks and not features.private_cluster,
        "aks_public_inference": aks and not features.private_cluster and features.inference,
        "arc": features.kind == "arc",
        "gpu": features.gpu,
        "inference": features.inference,
        "training": features.training,
        "ml": features.training or features.inference,
    }[needs]


def fill(pattern: str, features: Features) -> str:
    """The pattern with the placeholders the features know filled in."""
    values = {
        "region": features.region,
        "cluster": features.cluster,
        "account": features.storage_account,
        "acr": features.container_registry,
    }
    return PLACEHOLDER.sub(lambda m: values[m[1]] or m[0], pattern)


def rules(features: Features, extra: list[tuple[str, int]] = ()) -> list[Rule]:
    """The egress rules the features need, plus `extra` (host, port) pairs: one rule per
    (host, port, protocol) at its earliest phase, ordered by phase, who needs it, then host."""
    found: dict[tuple[str, int, str], Rule] = {}
    candidates = [
        Rule(
            fill(entry.host, features),
            entry.port,
            entry.protocol,
            entry.why,
            (entry.inference_phase if features.inference else None) or entry.phase,
            entry.source,
        )
        for entry in HOSTS
        if _applies(entry.needs, features)
    ]
    candidates += [
        Rule(host, port, extra_protocol(port), "extra", "any", "the stack's egress.extraHosts")
        for host, port in extra
    ]
    for rule in sorted(candidates, key=_order):
        key = (rule.host.lower(), rule.port, rule.protocol)
        kept = found.get(key)
        if kept is None:
            found[key] = rule
        elif rule.source not in kept.source:
            found[key] = replace(kept, source=f"{kept.source}; {rule.source}")
    return sorted(found.values(), key=_order)


def _order(rule: Rule) -> tuple[int, int, str, int, str]:
    return (PHASES.index(rule.phase), WHY.index(rule.why), rule.host, rule.port, rule.protocol)


def extra_protocol(port: int) -> str:
    """The protocol of an extra host: HTTPS on 443, HTTP on 80, TCP otherwise."""
    return {443: "https", 80: "http"}.get(port, "tcp")


def parse_extra(value: str) -> tuple[str, int]:
    """'pypi.org:443' -> ('pypi.org', 443); ValueError naming the expected shape otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not HOST.fullmatch(host) or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(
            f"'{value}' is not host:port (e.g. pypi.org:443 or *.contoso.com:443; the port "
            "1 to 65535)"
        )
    return host.lower(), int(port)


def unfilled(rules_: list[Rule]) -> list[str]:
    """The placeholders left in the rules' hosts, in order of first appearance."""
    seen: list[str] = []
    for rule in rules_:
        for match in PLACEHOLDER.finditer(rule.host):
            if match[0] not in seen:
                seen.append(match[0])
    return seen


def is_service_tag(host: str) -> bool:
    """A network rule's destination that is a service tag (AzureCloud.<region>), not an FQDN."""
    return host.split(".")[0].lower() == CLOUD_TAG.lower()


def covers(allowed: str, needed: str) -> bool:
    """A firewall entry `allowed` (FQDN, `*.` wildcard, `*`, or service tag) lets `needed`
    through. A placeholder in `needed` stands for any one label (`x.blob.core.windows.net`
    covers `<account>.blob.core.windows.net`); a needed wildcard is covered only by an equal or
    broader wildcard; the cloud-wide tag covers its regional tags."""
    allowed, needed = allowed.lower().rstrip("."), needed.lower().rstrip(".")
    pattern = "".join(
        r"[a-z0-9-]+" if PLACEHOLDER.fullmatch(piece) else re.escape(piece)
        for piece in re.split(r"(<[a-z]+>)", needed)
    )
    if allowed == "*" or re.fullmatch(pattern, allowed):
        return True
    if allowed.startswith("*.") and PLACEHOLDER.sub("x0", needed).endswith(allowed[1:]):
        return True
    return is_service_tag(needed) and allowed == CLOUD_TAG.lower()


SOURCES: dict[str, str] = {
    "PHASES": (
        "seeds/002 and 003 'connectivity requirements in chronological order' (router deploy, "
        "router start, router running, model deploy, serving); cluster setup before them (AKS "
        "outbound rules, Arc network requirements), training jobs (Learn firewall page) and the "
        "team's extra hosts after them"
    ),
    "WHY": "DESIGN.md preflight contract (`why`: aks, extension, training, inference, arc, gpu, "
    "workspace, extra)",
    "PROTOCOLS": "DESIGN.md preflight contract (`protocol`: https, http, tcp, udp)",
    "APPLICATION_PROTOCOLS": (
        "Learn firewall page, third-party firewall tip: FQDNs on HTTP/S ports are application "
        "rules, other ports network rules"
    ),
    "PLACEHOLDER": "seeds/002 DNS table and Learn firewall page placeholders",
    "HOST": "Azure Firewall target FQDNs: a name or a leading '*.' wildcard (Learn 'Azure "
    "Firewall FQDN filtering in network rules')",
    "CLOUD_TAG": f"{_AKS_NET} (AzureCloud.<Region>); Learn 'Virtual network service tags'",
    "HOSTS": (
        f"{_SEEDS}; {_SEED_002}; {_AKS}; {_AKS_NET}; {_AKS_EXT}; {_AKS_GPU}; {_AML}; {_ARC}; "
        f"{_FACTS}; each entry carries its own source"
    ),
    "ROUTER_SERVICE": (
        "Learn how-to-secure-kubernetes-online-endpoint, 'Update your DNS with an FQDN': "
        "kubectl describe svc azureml-fe -n azureml"
    ),
    "ROUTER_SERVICE_NAMESPACE": "Learn how-to-secure-kubernetes-online-endpoint (namespace azureml)",
    "NOT_APPLICABLE": f"seeds/002; {_ARC}; {_AKS_EXT}",
    "rules": "HOSTS filtered by the stack's features; earliest phase wins (seeds' order)",
    "covers": "Azure Firewall wildcard semantics: '*.' matches any subdomain (Learn 'Azure "
    "Firewall FQDN tags and filtering')",
}
