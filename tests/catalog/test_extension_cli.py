"""The extension resource equals what `az k8s-extension create` sends, for the four scenarios of
the Learn page ("Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster") and for
every rewrite rule.

Expected dictionaries are written out by hand from the CLI's source (AzureMLKubernetes.py): they
are not computed by the code under test.
"""

import base64
import hashlib

import pytest

from catalog import extension as catalog_extension
from catalog import extension_cli
from tests.conftest import plan_of, resource
from tests.support import pki

SUB = "00000000-0000-0000-0000-000000000000"  # preflight's signed-in subscription
WS = {
    "id": f"/subscriptions/{SUB}/resourceGroups/rg-ml/providers/"
    "Microsoft.MachineLearningServices/workspaces/mlw"
}
CERT = "-----BEGIN CERTIFICATE-----\nMIIBpreflight\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEpreflight\n-----END PRIVATE KEY-----\n"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"


def aks_fill_ins(name, rg, nodes_small=False):
    cid = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
    out = {
        "cluster_name": cid,
        "clusterId": cid,
        "prometheus.prometheusSpec.externalLabels.cluster_name": cid,
        "domain": "westeurope.cloudapp.azure.com",
        "location": "westeurope",
        "jobSchedulerLocation": "westeurope",
        "cluster_name_friendly": name,
        "servicebus.enabled": "false",
        "relayserver.enabled": "false",
        "nginxIngress.enabled": "true",
    }
    if nodes_small:
        out["clusterPurpose"] = "DevTest"
    return out


def arc_fill_ins(name, rg):
    cid = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Kubernetes/connectedClusters/{name}"
    return {
        "cluster_name": cid,
        "clusterId": cid,
        "prometheus.prometheusSpec.externalLabels.cluster_name": cid,
        "domain": "westeurope.cloudapp.azure.com",
        "location": "westeurope",
        "jobSchedulerLocation": "westeurope",
        "cluster_name_friendly": name,
        "servicebus.enabled": "false",
        "relayserver.enabled": "true",
        "nginxIngress.enabled": "false",
        # The relay the CLI creates; its id exists only once it does.
        "relayserver.hybridConnectionResourceID": "[unknown]",
        "relayserver.hybridConnectionName": name,
    }


def arc(name, nodes):
    return {
        "kind": "arc",
        "nodeCount": nodes,
        "connectedClusterId": f"/subscriptions/{SUB}/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/{name}",
    }


def aks(name, count):
    return {
        "kind": "aks",
        "name": name,
        "disableLocalAccounts": False,
        "nodePools": [
            {"name": "system", "vmSize": "Standard_D4s_v5", "count": count, "mode": "System"}
        ],
    }


@pytest.fixture
def pem_files(tmp_path):
    # Real PEM: the settings check the pair (key matches, covers sslCname, not expired).
    pair = pki.server(("scoring.contoso.com",))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text(pair.cert)
    key.write_text(pair.key)
    return str(cert), str(key)


def extension_of(stack_file, config):
    plan = plan_of(stack_file(config))
    r = resource(plan, EXTENSION)
    return r["inputs"]


@pytest.mark.process
def test_quick_poc_on_aks(stack_file):
    # az k8s-extension create ... --config enableTraining=True enableInference=True
    #   inferenceRouterServiceType=LoadBalancer allowInsecureConnections=True inferenceRouterHA=False
    #   --cluster-type managedClusters --scope cluster       (on a one-node cluster)
    inputs = extension_of(
        stack_file,
        {
            "azure-native:location": "westeurope",
            "azureml-k8s:environment": "dev",
            "azureml-k8s:cluster": aks("mlpoc", 1),
            "azureml-k8s:extension": {
                "enableTraining": True,
                "enableInference": True,
                "inferenceRouterServiceType": "LoadBalancer",
                "allowInsecureConnections": True,
                "inferenceRouterHA": False,
            },
        },
    )
    assert inputs["configurationSettings"] == {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": "LoadBalancer",
        "allowInsecureConnections": "True",
        "inferenceRouterHA": "False",
        **aks_fill_ins("mlpoc", "rg-mlpoc", nodes_small=True),
    }
    assert "configurationProtectedSettings" not in inputs
    assert inputs["extensionType"] == "Microsoft.AzureML.Kubernetes"
    assert inputs["scope"] == {"cluster": {"releaseNamespace": "azureml"}}
    assert inputs["releaseTrain"] == "stable" and inputs["autoUpgradeMinorVersion"] is True
    assert (inputs["clusterRp"], inputs["clusterResourceName"]) == (
        "Microsoft.ContainerService",
        "managedClusters",
    )
    assert "identity" not in inputs  # AKS assigns the extension's identity


@pytest.mark.process
def test_arc_training_only(stack_file):
    # az k8s-extension create ... --config enableTraining=True --cluster-type connectedClusters
    inputs = extension_of(
        stack_file,
        {
            "azure-native:location": "westeurope",
            "azureml-k8s:environment": "test",
            "azureml-k8s:cluster": arc("onprem", 3),
            "azureml-k8s:extension": {"enableTraining": True},
        },
    )
    assert inputs["configurationSettings"] == {
        "enableTraining": "True",
        "enableInference": "False",
        **arc_fill_ins("onprem", "rg-edge"),
    }
    assert inputs["configurationProtectedSettings"] == {
        "relayServerConnectionString": "[secret]",
        "relayserver.relayConnectionString": "[secret]",
    }
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert (inputs["clusterRp"], inputs["clusterResourceName"]) == (
        "Microsoft.Kubernetes",
        "connectedClusters",
    )


@pytest.mark.process
def test_aks_production_https(stack_file, pem_files):
    # az k8s-extension create ... --config enableTraining=True enableInference=True
    #   inferenceRouterServiceType=LoadBalancer sslCname=<cname>
    #   --config-protected sslCertPemFile=<cert> sslKeyPemFile=<key>   (three nodes)
    cert, key = pem_files
    inputs = extension_of(
        stack_file,
        {
            "azure-native:location": "westeurope",
            "azureml-k8s:environment": "prod",
            "azureml-k8s:cluster": aks("mlprod", 3),
            "azureml-k8s:extension": {
                "enableTraining": True,
                "enableInference": True,
                "inferenceRouterServiceType": "LoadBalancer",
                "sslCname": "scoring.contoso.com",
                "sslCertPemFile": cert,
                "sslKeyPemFile": key,
            },
        },
    )
    assert inputs["configurationSettings"] == {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": "LoadBalancer",
        "sslCname": "scoring.contoso.com",
        **aks_fill_ins("mlprod", "rg-mlprod"),
    }
    assert inputs["configurationProtectedSettings"] == {
        "sslCertPemFile": "[secret]",
        "sslKeyPemFile": "[secret]",
        "scoringFe.sslCert": "[secret]",
        "scoringFe.sslKey": "[secret]",
    }


@pytest.mark.process
def test_arc_production_gpu_nodeport(stack_file, pem_files):
    # az k8s-extension create ... --config enableTraining=True enableInference=True
    #   inferenceRouterServiceType=NodePort sslCname=<cname> installNvidiaDevicePlugin=True
    #   installDcgmExporter=True --config-protected sslCertPemFile=<cert> sslKeyPemFile=<key>
    cert, key = pem_files
    inputs = extension_of(
        stack_file,
        {
            "azure-native:location": "westeurope",
            "azureml-k8s:environment": "prod",
            "azureml-k8s:cluster": arc("gpu-site", 4),
            "azureml-k8s:extension": {
                "enableTraining": True,
                "enableInference": True,
                "inferenceRouterServiceType": "NodePort",
                "sslCname": "scoring.contoso.com",
                "installNvidiaDevicePlugin": True,
                "installDcgmExporter": True,
                "sslCertPemFile": cert,
                "sslKeyPemFile": key,
            },
        },
    )
    assert inputs["configurationSettings"] == {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": "NodePort",
        "sslCname": "scoring.contoso.com",
        "installNvidiaDevicePlugin": "True",
        "installDcgmExporter": "True",
        "scoringFe.serviceType.nodePort": "True",
        **arc_fill_ins("gpu-site", "rg-edge"),
    }
    assert set(inputs["configurationProtectedSettings"]) == {
        "sslCertPemFile",
        "sslKeyPemFile",
        "scoringFe.sslCert",
        "scoringFe.sslKey",
        "relayServerConnectionString",
        "relayserver.relayConnectionString",
    }


# Pure rules, table-driven --------------------------------------------------------------------

FACTS = catalog_extension.ClusterFacts("aks", SUB, "rg", "c1", "West Europe", 3)


@pytest.mark.parametrize(
    "settings,protected,key,fragment",
    [
        ({}, {}, "enableTraining", "enable training, inference or both"),
        ({"enableTraining": "yes"}, {}, "enableTraining", "enable training"),  # only 'true' counts
        ({"enableInference": "True"}, {}, "allowInsecureConnections", "HTTPS needs a certificate"),
        ({"enableInference": "True", "sslSecret": "s"}, {}, "sslCname", "sslCname"),
        (
            {"enableInference": "True", "allowInsecureConnections": "true"},
            {},
            "inferenceRouterServiceType",
            "loadBalancer, nodePort or clusterIP",
        ),
        (
            {
                "enableInference": "True",
                "allowInsecureConnections": "true",
                "inferenceRouterServiceType": "NodePort",
                "internalLoadBalancerProvider": "azure",
            },
            {},
            "internalLoadBalancerProvider",
            "nodePort",
        ),
        ({"enableTraining": "True", "sslSecret": "a"}, {"sslSecret": "b"}, "sslSecret", "both"),
    ],
)
def test_cli_rejections(settings, protected, key, fragment):
    with pytest.raises(catalog_extension.ExtensionConfigError) as info:
        extension_cli.validate(settings, protected)
    assert info.value.key == key and fragment in str(info.value)


def run(settings, protected=None, facts=FACTS, **kw):
    return extension_cli.cli_configuration(settings, protected or {}, facts, **kw)


@pytest.mark.parametrize(
    "settings,expected",
    [
        ({"inferenceRouterServiceType": "nodeport"}, {"scoringFe.serviceType.nodePort": "True"}),
        (
            {"inferenceRouterServiceType": "loadBalancer", "internalLoadBalancerProvider": "azure"},
            {"scoringFe.serviceType.internalLoadBalancer": "True"},
        ),
        (
            {"inferenceRouterServiceType": "clusterIP", "sslSecret": "tls", "sslCname": "a.b.com"},
            {"scoringFe.sslSecret": "tls"},
        ),
    ],
)
def test_cli_rewrites(settings, expected):
    base = {"enableInference": "True", "allowInsecureConnections": "True"}
    if "sslSecret" in settings:
        base.pop("allowInsecureConnections")
    config, _ = run({**base, **settings})
    for key, value in expected.items():
        assert config[key] == value
    assert settings.items() <= config.items()  # user keys are kept, as the CLI keeps them


def test_insecure_connections_skip_ssl_keys():
    config, protected = run(
        {
            "enableInference": "True",
            "allowInsecureConnections": "True",
            "inferenceRouterServiceType": "LoadBalancer",
            "sslSecret": "tls",
            "sslCname": "a.b.com",
        }
    )
    assert "scoringFe.sslSecret" not in config


def test_pem_is_base64_in_protected_settings():
    _, protected = run(
        {
            "enableInference": "True",
            "inferenceRouterServiceType": "LoadBalancer",
            "sslCname": "a.b.com",
        },
        {"sslCertPemFile": "c", "sslKeyPemFile": "k"},
        pem={"sslCertPemFile": CERT, "sslKeyPemFile": KEY},
    )
    assert base64.b64decode(protected["scoringFe.sslCert"]).decode() == CERT
    assert base64.b64decode(protected["scoringFe.sslKey"]).decode() == KEY


@pytest.mark.parametrize(
    "nodes,settings,expected_ha,expected_purpose",
    [
        (2, {}, "false", "DevTest"),
        (2, {"inferenceRouterHA": "True"}, "True", "DevTest"),  # explicit values are left alone
        (3, {}, None, None),
    ],
)
def test_small_cluster_rule(nodes, settings, expected_ha, expected_purpose):
    facts = catalog_extension.ClusterFacts("aks", SUB, "rg", "c1", "westeurope", nodes)
    config, _ = run({"enableTraining": "True", **settings}, facts=facts)
    assert config.get("inferenceRouterHA") == expected_ha
    assert config.get("clusterPurpose") == expected_purpose


def test_openshift_and_location_normalised():
    facts = catalog_extension.ClusterFacts("arc", SUB, "rg", "ocp", "West Europe", 3, "OpenShift")
    config, protected = run(
        {"enableTraining": "True"},
        facts=facts,
        relay={"connectionString": "cs", "hybridConnectionId": "hc"},
    )
    assert config["openshift"] == "true"
    assert config["location"] == "westeurope"
    assert protected["relayServerConnectionString"] == "cs"
    assert protected["relayserver.relayConnectionString"] == "cs"
    assert config["relayserver.hybridConnectionResourceID"] == "hc"


def test_relay_namespace_name_as_the_cli():
    # Alphanumerics of "<cluster>-<sub>-<rg>-relay", cut to 50 with a 6-character md5 suffix.
    facts = catalog_extension.ClusterFacts(
        "arc", SUB, "machine-learning-edge-sites", "edge", "westeurope", 3
    )
    raw = f"edge-{SUB}-machine-learning-edge-sites-relay"
    name = extension_cli.relay_namespace_name(facts)
    assert (
        name
        == "edge" + SUB.replace("-", "") + "machinel" + hashlib.md5(raw.encode()).hexdigest()[:6]
    )
    short = catalog_extension.ClusterFacts("arc", SUB, "my-rg", "edge", "westeurope", 3)
    assert extension_cli.relay_namespace_name(short) == "edge" + SUB.replace("-", "") + "myrgrelay"


@pytest.mark.parametrize(
    "before,after,fragment",
    [
        ({"sslCname": "a.com"}, {"sslCname": "b.com"}, "sslCname changed"),
        (
            {"inferenceRouterServiceType": "loadBalancer"},
            {"inferenceRouterServiceType": "nodePort"},
            "inferenceRouterServiceType changed",
        ),
        (
            {"allowInsecureConnections": "False"},
            {"allowInsecureConnections": "True"},
            "allowInsecureConnections changed",
        ),
        ({"internalLoadBalancerProvider": "azure"}, {}, "internalLoadBalancerProvider changed"),
        ({"enableTraining": "True"}, {"enableTraining": "False"}, "enableTraining turned off"),
        ({"enableInference": "True"}, {"enableInference": "False"}, "enableInference turned off"),
        ({"installNvidiaDevicePlugin": "True"}, {}, "installNvidiaDevicePlugin turned off"),
        ({"nodeSelector.pool": "ml"}, {}, "cannot be removed"),
    ],
)
def test_disruptive_changes(before, after, fragment):
    reasons = catalog_extension.disruptive_changes(before, after)
    assert any(fragment in r for r in reasons), reasons


def test_enabling_is_not_disruptive():
    assert (
        catalog_extension.disruptive_changes(
            {"enableTraining": "False"}, {"enableTraining": "True", "nodeSelector.a": "b"}
        )
        == []
    )
