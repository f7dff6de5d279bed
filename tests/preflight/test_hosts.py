"""`python -m preflight hosts` and catalog.hosts: the egress rules each stack needs, pinned."""

import csv
import io
import json

import pytest

from catalog import host_table, hosts
from tests.conftest import run_preflight

pytestmark = pytest.mark.process

PROD = [
    "cluster setup | aks | *.data.mcr.microsoft.com:443/https",
    "cluster setup | aks | *.hcp.westeurope.azmk8s.io:443/https",
    "cluster setup | aks | AzureCloud.westeurope:1194/udp",
    "cluster setup | aks | AzureCloud.westeurope:9000/tcp",
    "cluster setup | aks | acs-mirror.azureedge.net:443/https",
    "cluster setup | aks | login.microsoftonline.com:443/https",
    "cluster setup | aks | management.azure.com:443/https",
    "cluster setup | aks | mcr-0001.mcr-msedge.net:443/https",
    "cluster setup | aks | mcr.microsoft.com:443/https",
    "cluster setup | aks | ntp.ubuntu.com:123/udp",
    "cluster setup | aks | packages.microsoft.com:443/https",
    "cluster setup | gpu | download.docker.com:443/https",
    "cluster setup | gpu | nvidia.github.io:443/https",
    "cluster setup | gpu | us.download.nvidia.com:443/https",
    "router deploy | aks | mlprod.hcp.westeurope.azmk8s.io:443/https",
    "router deploy | extension | *.ingestion.msftcloudes.com:443/https",
    "router deploy | extension | *.microsoftmetrics.com:443/https",
    "router deploy | extension | arcmktplaceprod.azurecr.io:443/https",
    "router deploy | extension | westeurope.dp.kubernetesconfiguration.azure.com:443/https",
    "router running | extension | *.kusto.windows.net:443/https",
    "router running | extension | *.queue.core.windows.net:443/https",
    "router running | extension | *.table.core.windows.net:443/https",
    "router running | inference | api.azureml.ms:443/https",
    "router running | inference | ingest-viennawesteurope.kusto.windows.net:443/https",
    "router running | workspace | *.workspace.westeurope.api.azureml.ms:443/https",
    "router running | workspace | <account>.blob.core.windows.net:443/https",
    "router running | workspace | <account>.table.core.windows.net:443/https",
    "router running | workspace | westeurope.api.azureml.ms:443/https",
    "router running | workspace | westeurope.experiments.azureml.net:443/https",
    "model deploy | workspace | <acr>.azurecr.io:443/https",
    "model deploy | workspace | <acr>.westeurope.data.azurecr.io:443/https",
    "training job | training | archive.ubuntu.com:80/http",
    "training job | training | ppa.launchpad.net:80/http",
    "training job | training | pypi.org:443/https",
    "training job | training | security.ubuntu.com:80/http",
]
EDGE = [
    "cluster setup | arc | *.data.mcr.microsoft.com:443/https",
    "cluster setup | arc | *.guestnotificationservice.azure.com:443/https",
    "cluster setup | arc | *.his.arc.azure.com:443/https",
    "cluster setup | arc | *.servicebus.windows.net:443/https",
    "cluster setup | arc | gbl.his.arc.azure.com:443/https",
    "cluster setup | arc | guestnotificationservice.azure.com:443/https",
    "cluster setup | arc | login.microsoftonline.com:443/https",
    "cluster setup | arc | login.windows.net:443/https",
    "cluster setup | arc | management.azure.com:443/https",
    "cluster setup | arc | mcr.microsoft.com:443/https",
    "cluster setup | arc | sts.windows.net:443/https",
    "cluster setup | arc | westeurope.dp.kubernetesconfiguration.azure.com:443/https",
    "cluster setup | arc | westeurope.login.microsoft.com:443/https",
    *[line for line in PROD if line.startswith(("router running", "model deploy", "training"))],
]
# dev: prod's AKS, extension and router hosts on its own cluster name, no GPU pool or plugin.
DEV = [line.replace("mlprod.", "mldev.") for line in PROD if "| gpu |" not in line]


def lines(rules: list[dict]) -> list[str]:
    return [f"{r['phase']} | {r['why']} | {r['host']}:{r['port']}/{r['protocol']}" for r in rules]


def hosts_json(*args: str) -> list[dict]:
    result = run_preflight("hosts", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("stack,expected", [("prod", PROD), ("dev", DEV), ("edge", EDGE)])
def test_stack_lists_exactly_its_documented_hosts(stack, expected):
    rules = hosts_json("--stack", stack)
    assert lines(rules) == expected
    assert all(rule["source"] for rule in rules)
    assert set(rules[0]) == {"host", "port", "protocol", "why", "phase", "source"}


def test_json_gives_each_rule_its_sources_and_the_unfilled_note():
    result = run_preflight("hosts", "--stack", "prod", "--format", "json")
    by_host = {(r["host"], r["port"]): r for r in json.loads(result.stdout)}
    # Where the Azure ML and the AKS pages both list a host, both sources stay, each a public
    # document with its URL.
    mcr = by_host[("mcr.microsoft.com", 443)]["source"]
    assert "how-to-kubernetes-inference-routing-azureml-fe" in mcr
    assert "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress" in mcr
    table = by_host[("<account>.table.core.windows.net", 443)]["source"]
    assert "v1/how-to-deploy-azure-kubernetes-service" in table and "(absent from" in table
    # The workspace names are not in the stack and cannot be read offline: said on stderr.
    assert "<account>, <acr> stay placeholders" in result.stderr
    assert "workspace.storageAccount and workspace.containerRegistry" in result.stderr


def test_csv_and_text_carry_the_same_rules(stack_file):
    config = yaml_stack(egress={"extraHosts": ["db.contoso.com:5432", "pypi.org:443"]})
    path = stack_file(config)
    rules = hosts_json("--config", str(path))
    result = run_preflight("hosts", "--config", str(path), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert list(csv.DictReader(io.StringIO(result.stdout))) == [
        {key: str(value) for key, value in rule.items()} for rule in rules
    ]
    text = run_preflight("hosts", "--config", str(path))
    assert text.returncode == 0
    assert (
        text.stdout.splitlines()[0]
        == f"{len(rules)} egress rules, in the order they are first needed"
    )
    assert "note:" not in text.stdout  # the names are set: nothing left unfilled
    # Workspace names filled; no training hosts; the extra hosts last, sorted.
    assert "model deploy | workspace | mlwacr.azurecr.io:443/https" in lines(rules)
    assert "router running | workspace | mlwstore.blob.core.windows.net:443/https" in lines(rules)
    assert "training" not in {r["why"] for r in rules}
    assert lines(rules)[-2:] == [
        "any | extra | db.contoso.com:5432/tcp",
        "any | extra | pypi.org:443/https",
    ]


def yaml_stack(**extra) -> dict:
    """An inference-only AKS stack in a new VNet, workspace names given."""
    config = {
        "azure-native:location": "northeurope",
        "azureml-k8s:environment": "dev",
        "azureml-k8s:cluster": {
            "kind": "aks",
            "name": "mlinf",
            "nodePools": [
                {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}
            ],
            "network": {"vnet": {}},
        },
        "azureml-k8s:extension": {
            "enableInference": True,
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": True,
        },
        "azureml-k8s:workspace": {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
            "Microsoft.MachineLearningServices/workspaces/mlw",
            "storageAccount": "mlwstore",
            "containerRegistry": "mlwacr",
        },
    }
    config.update({f"azureml-k8s:{key}": value for key, value in extra.items()})
    return config


def test_listing_is_deterministic():
    first = run_preflight("hosts", "--stack", "edge", "--format", "csv")
    second = run_preflight("hosts", "--stack", "edge", "--format", "csv")
    assert first.returncode == 0 and first.stdout == second.stdout


@pytest.mark.parametrize(
    "egress,path,message",
    [
        (
            {"extraHosts": ["pypi.org"]},
            "config.azureml-k8s:egress.extraHosts",
            "'pypi.org' is not host:port",
        ),
        (
            {"extraHosts": ["bad host:443"]},
            "config.azureml-k8s:egress.extraHosts",
            "is not host:port",
        ),
        (
            {"extraHosts": ["pypi.org:70000"]},
            "config.azureml-k8s:egress.extraHosts",
            "the port 1 to 65535",
        ),
    ],
)
def test_malformed_extra_host_is_a_settings_error(stack_file, egress, path, message):
    result = run_preflight("hosts", "--config", str(stack_file(yaml_stack(egress=egress))))
    assert result.returncode == 2, result.stderr
    assert path in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_stack_is_bad_input():
    result = run_preflight("hosts", "--stack", "nope")
    assert result.returncode == 2
    assert "no such stack" in result.stderr


def test_bad_format_is_a_usage_error():
    assert run_preflight("hosts", "--format", "xml").returncode == 64


# catalog.hosts, in process ----------------------------------------------------------------------


def features(**changes) -> hosts.Features:
    base = dict(kind="aks", region="westeurope", training=False, inference=True, gpu=False)
    return hosts.Features(**{**base, **changes})


def test_features_pick_hosts():
    inference = {r.host for r in hosts.rules(features())}
    assert "pypi.org" not in inference and "nvidia.github.io" not in inference
    assert "pypi.org" in {r.host for r in hosts.rules(features(training=True))}
    assert "nvidia.github.io" in {r.host for r in hosts.rules(features(gpu=True))}
    assert not {"gbl.his.arc.azure.com"} & inference
    private = {r.host for r in hosts.rules(features(private_cluster=True))}
    # A private cluster's nodes reach the API server privately (AKS outbound rules).
    assert "*.hcp.westeurope.azmk8s.io" not in private and "AzureCloud.westeurope" not in private
    training_only = hosts.rules(features(inference=False, training=True))
    blob = next(r for r in training_only if r.host == "<account>.blob.core.windows.net")
    assert blob.phase == "training job" and "api.azureml.ms" not in {r.host for r in training_only}


def test_every_catalog_entry_is_well_formed():
    for entry in host_table.HOSTS:
        assert entry.phase in hosts.PHASES and entry.why in hosts.WHY, entry
        assert entry.protocol in hosts.PROTOCOLS and entry.source, entry
        filled = hosts.PLACEHOLDER.sub("x0", entry.host)
        assert hosts.HOST.fullmatch(filled) or hosts.is_service_tag(filled), entry


@pytest.mark.parametrize(
    "allowed,needed,expected",
    [
        ("mcr.microsoft.com", "mcr.microsoft.com", True),
        ("MCR.microsoft.com.", "mcr.microsoft.com", True),
        ("*.blob.core.windows.net", "<account>.blob.core.windows.net", True),
        ("mlwstore.blob.core.windows.net", "<account>.blob.core.windows.net", True),
        ("evil.example.com", "<account>.blob.core.windows.net", False),
        ("*.core.windows.net", "*.table.core.windows.net", True),
        ("x.table.core.windows.net", "*.table.core.windows.net", False),
        ("*", "pypi.org", True),
        ("AzureCloud", "AzureCloud.westeurope", True),
        ("AzureCloud.northeurope", "AzureCloud.westeurope", False),
        ("*.azurecr.io", "<acr>.westeurope.data.azurecr.io", True),
        ("pypi.org", "files.pythonhosted.org", False),
    ],
)
def test_covers(allowed, needed, expected):
    assert hosts.covers(allowed, needed) is expected


def test_an_extra_host_the_catalog_lists_is_kept_once_with_both_sources():
    rules = hosts.rules(features(training=True), [("pypi.org", 443)])
    pypi = [r for r in rules if r.host == "pypi.org"]
    assert len(pypi) == 1 and pypi[0].why == "training"
    assert "egress.extraHosts" in pypi[0].source


def test_not_applicable_hosts_are_named_with_a_reason():
    assert "<label>.<region>.cloudapp.azure.com" in host_table.NOT_APPLICABLE
    everything = features(training=True, gpu=True)
    listed = {r.host for r in hosts.rules(everything)} | {
        r.host for r in hosts.rules(features(kind="arc", training=True))
    }
    assert not set(host_table.NOT_APPLICABLE) & listed
    assert all(reason for reason in host_table.NOT_APPLICABLE.values())
