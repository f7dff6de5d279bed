"""Documented outbound hosts: who needs each one, when it is first needed, and where it is written.

One catalog for every egress rule the platform needs: the firewall's rule collection groups, the
`python -m preflight hosts` listing and the egress-covers-documented-hosts policy all read it.

Host patterns carry placeholders filled from the stack: `<region>` (the cluster's region),
`<cluster>` (its name), `<account>` (the workspace's storage account) and `<acr>` (the workspace's
container registry). A placeholder left unfilled stays in the host as written, so a listing shows
what is missing; the policy reads it as "any single DNS label".

Phases follow the order in which the inference router needs its hosts (Learn "Azure Machine
Learning inference router and connectivity requirements" and "Deploy a model to an Azure Kubernetes
Service cluster with v1", connectivity requirements in chronological order: router deploy -> router start -> router running -> model deploy -> serving), with the cluster's own
setup before them and training jobs and the team's extra hosts after them.

Where two documents disagree, both entries are kept, each with its source:
- both Azure ML pages name the API server `<cluster>.hcp.<region>.azmk8s.io`; AKS's outbound rules
  page names `*.hcp.<region>.azmk8s.io` (the real FQDN carries a hash after the DNS prefix).
- the v1 page lists `<account>.table.core.windows.net`; the router page's German edition does not;
  the Learn firewall page lists `*.table.core.windows.net` for system logs.
- the Azure ML pages' telemetry host `ingest-vienna<region>.kusto.windows.net` and the Learn firewall
  page's `*.kusto.windows.net`.
- NTP: the AKS page allows `*:123` or, with Azure Firewall network rules, `ntp.ubuntu.com:123`, and
  says nodes provisioned after March 2021 no longer need it; it is kept (the issue asks for it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from catalog import documents
from catalog.host_table import CLOUD_TAG, HOSTS

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


@dataclass(frozen=True)
class WorkspaceHosts:
    """One attached workspace's names that go into hosts; None stays a placeholder."""

    storage_account: str | None = None
    container_registry: str | None = None


@dataclass(frozen=True)
class Features:
    """What a stack enables, as far as egress goes; names left None stay placeholders. Hosts
    with `<account>` or `<acr>` are listed once per attached workspace."""

    kind: str  # "aks" | "arc"
    region: str | None
    training: bool
    inference: bool
    gpu: bool
    private_cluster: bool = False
    cluster: str | None = None
    workspaces: tuple[WorkspaceHosts, ...] = (WorkspaceHosts(),)


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


# The router's Service, whose load balancer IP the sslCname record points at (Learn "Configure a
# secure online endpoint with TLS/SSL": the azureml-fe service in the azureml namespace).
ROUTER_SERVICE = "azureml-fe"
ROUTER_SERVICE_NAMESPACE = "azureml"


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


_WORKSPACE_PLACEHOLDERS = frozenset({"account", "acr"})


def fill(pattern: str, features: Features, workspace: WorkspaceHosts | None = None) -> str:
    """The pattern with the placeholders the features (and the workspace) know filled in."""
    workspace = workspace or WorkspaceHosts()
    values = {
        "region": features.region,
        "cluster": features.cluster,
        "account": workspace.storage_account,
        "acr": workspace.container_registry,
    }
    return PLACEHOLDER.sub(lambda m: values[m[1]] or m[0], pattern)


def filled(pattern: str, features: Features) -> list[str]:
    """The pattern filled in: once, or once per workspace when it names a workspace's host."""
    if not {m[1] for m in PLACEHOLDER.finditer(pattern)} & _WORKSPACE_PLACEHOLDERS:
        return [fill(pattern, features)]
    return list(dict.fromkeys(fill(pattern, features, w) for w in features.workspaces or [None]))


def rules(features: Features, extra: Sequence[tuple[str, int]] = ()) -> list[Rule]:
    """The egress rules the features need, plus `extra` (host, port) pairs: one rule per
    (host, port, protocol) at its earliest phase, ordered by phase, who needs it, then host."""
    found: dict[tuple[str, int, str], Rule] = {}
    candidates = [
        Rule(
            host,
            entry.port,
            entry.protocol,
            entry.why,
            (entry.inference_phase if features.inference else None) or entry.phase,
            entry.source,
        )
        for entry in HOSTS
        if _applies(entry.needs, features)
        for host in filled(entry.host, features)
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
    # ASCII digits only: Python's int() reads Arabic-Indic and full-width digits too.
    digits = port.isascii() and port.isdigit()
    if not sep or not HOST.fullmatch(host) or not digits or not 0 < int(port) < 65536:
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
        f"{documents.INFERENCE_ROUTER} and {documents.V1_AKS_DEPLOY}, 'connectivity "
        "requirements in chronological order' (router deploy, "
        "router start, router running, model deploy, serving); cluster setup before them (AKS "
        "outbound rules, Arc network requirements), training jobs (Learn firewall page) and the "
        "team's extra hosts after them"
    ),
    "WHY": "project contract, docs/egress.md (`why`: aks, extension, training, inference, arc, "
    "gpu, workspace, extra)",
    "PROTOCOLS": "project contract, docs/egress.md (`protocol`: https, http, tcp, udp)",
    "APPLICATION_PROTOCOLS": (
        "Learn firewall page, third-party firewall tip: FQDNs on HTTP/S ports are application "
        "rules, other ports network rules"
    ),
    "PLACEHOLDER": f"{documents.V1_AKS_DEPLOY}, connectivity requirements, and "
    f"{documents.AML_NETWORK} placeholders",
    "HOST": "Azure Firewall target FQDNs: a name or a leading '*.' wildcard (Learn 'Azure "
    "Firewall FQDN filtering in network rules')",
    "ROUTER_SERVICE": (
        "Learn how-to-secure-kubernetes-online-endpoint, 'Update your DNS with an FQDN': "
        "kubectl describe svc azureml-fe -n azureml"
    ),
    "ROUTER_SERVICE_NAMESPACE": "Learn how-to-secure-kubernetes-online-endpoint (namespace azureml)",
    "rules": "HOSTS filtered by the stack's features; earliest phase wins (seeds' order)",
    "covers": "Azure Firewall wildcard semantics: '*.' matches any subdomain (Learn 'Azure "
    "Firewall FQDN tags and filtering')",
}
