"""The documented outbound hosts, one entry per host and port, each with its source.

Read through catalog.hosts, which filters them by what a stack enables and fills in their
placeholders (`<region>`, `<cluster>`, `<account>`, `<acr>`). Where documents disagree, both
entries are kept (catalog.hosts' docstring lists the disagreements).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog import documents

# The service tag of Azure's public cloud; `AzureCloud.<region>` narrows it to a region.
CLOUD_TAG = "AzureCloud"

# Each source: the public document (title, URL) and the part of it the entry comes from.
_SEEDS = f"{documents.INFERENCE_ROUTER} and {documents.V1_AKS_DEPLOY}, connectivity requirements"
_SEED_002 = (
    f"{documents.V1_AKS_DEPLOY}, connectivity requirements (absent from "
    f"{documents.INFERENCE_ROUTER_DE})"
)
_AKS = f"{documents.AKS_OUTBOUND}, required FQDN rules"
_AKS_NET = f"{documents.AKS_OUTBOUND}, required network rules"
_AKS_EXT = f"{documents.AKS_OUTBOUND}, cluster extensions"
_AKS_GPU = f"{documents.AKS_OUTBOUND}, GPU enabled clusters"
_AML = f"{documents.AML_NETWORK}, Kubernetes compute"
_ARC = documents.ARC_NETWORK
_FACTS = f"{documents.AKS_OUTBOUND}, required FQDN rules (current revision)"


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

# Hosts the documents list that never apply to this platform, and why.
NOT_APPLICABLE: dict[str, str] = {
    "<label>.<region>.cloudapp.azure.com": (
        f"{documents.V1_AKS_DEPLOY}: only for an endpoint domain auto-generated by the v1 flow; "
        "this platform "
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


SOURCES: dict[str, str] = {
    "CLOUD_TAG": f"{_AKS_NET} (AzureCloud.<Region>); Learn 'Virtual network service tags'",
    "HOSTS": (
        f"{_SEEDS}; {_SEED_002}; {_AKS}; {_AKS_NET}; {_AKS_EXT}; {_AKS_GPU}; {_AML}; {_ARC}; "
        f"{_FACTS}; each entry carries its own source"
    ),
    "NOT_APPLICABLE": f"{documents.V1_AKS_DEPLOY}; {_ARC}; {_AKS_EXT}",
}
