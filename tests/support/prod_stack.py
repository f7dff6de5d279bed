"""The issue's production stack as a test fixture: HTTPS from secret config, two instance types,
two computes and an endpoint with blue/green deployments; the PEM pair encrypted as pulumi's
passphrase secrets provider stores it, so preflight checks the real certificate."""

from __future__ import annotations

import base64
import copy
import functools
import json
import subprocess
from pathlib import Path

import yaml

from preflight.program import passphrase
from stacks import settings as stack_settings
from tests.conftest import run_preflight

PHRASE = "correct horse battery staple"
SUB = "00000000-0000-0000-0000-000000000000"
CNAME = "scoring.ml.contoso.com"

CONFIG: dict = {
    "azure-native:location": "westeurope",
    "azureml-k8s:environment": "prod",
    "azureml-k8s:cluster": {
        "kind": "aks",
        "name": "mlprod",
        "nodePools": [
            {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"},
            {
                "name": "cpu",
                "vmSize": "Standard_D16s_v5",
                "minCount": 1,
                "maxCount": 20,
                "labels": {"workload": "cpu"},
            },
            {
                "name": "gpu",
                "vmSize": "Standard_NC24ads_A100_v4",
                "minCount": 0,
                "maxCount": 4,
                "labels": {"accelerator": "a100"},
                "taints": ["sku=gpu:NoSchedule"],
            },
        ],
        "apiServer": {"authorizedIpRanges": ["203.0.113.0/24"]},
    },
    "azureml-k8s:extension": {
        "enableTraining": True,
        "enableInference": True,
        "inferenceRouterServiceType": "loadBalancer",
        "inferenceRouterHA": True,
        "sslCname": CNAME,
        "sslSecret": "azureml-fe-tls",
        "installNvidiaDevicePlugin": True,
    },
    "azureml-k8s:workspace": {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg-ml-prod/providers/"
        "Microsoft.MachineLearningServices/workspaces/mlw-prod"
    },
    "azureml-k8s:tls": {"source": "secretConfig"},
    "azureml-k8s:instanceTypes": [
        {
            "name": "cpu-small",
            "nodeSelector": {"workload": "cpu"},
            "resources": {
                "requests": {"cpu": "1", "memory": "2Gi"},
                "limits": {"cpu": "1", "memory": "2Gi"},
            },
        },
        {
            "name": "gpu-a100",
            "nodeSelector": {"accelerator": "a100"},
            "resources": {
                "requests": {"cpu": "8", "memory": "64Gi"},
                "limits": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": 1},
            },
        },
    ],
    "azureml-k8s:computes": [
        {"name": "k8s-team-a", "namespace": "team-a", "instanceTypes": ["cpu-small", "gpu-a100"]},
        {"name": "k8s-team-b", "namespace": "team-b", "instanceTypes": ["cpu-small"]},
    ],
    "azureml-k8s:endpoints": [
        {
            "name": "fraud-score",
            "compute": "k8s-team-a",
            "authMode": "key",
            "deployments": [
                {
                    "name": "blue",
                    "model": "azureml:fraud-model:3",
                    "environment": "azureml:sklearn-inference:2",
                    "instanceType": "cpu-small",
                    "traffic": 90,
                    "sizing": {
                        "rps": 20,
                        "requestTimeMs": 10000,
                        "maxConcurrentRequestsPerInstance": 1,
                    },
                    "requestSettings": {"requestTimeoutMs": 15000},
                },
                {
                    "name": "green",
                    "model": "azureml:fraud-model:4",
                    "environment": "azureml:sklearn-inference:2",
                    "instanceType": "gpu-a100",
                    "traffic": 10,
                    "scaleSettings": {"minInstances": 1, "maxInstances": 4},
                },
            ],
        }
    ],
    "azureml-k8s:extraManifests": [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}},
    ],
}


def config() -> dict:
    """A fresh copy to mutate."""
    return copy.deepcopy(CONFIG)


@functools.cache
def _key() -> tuple[str, bytes]:
    salt = b"azureml-k8s-test"
    key = passphrase.derive_key(PHRASE, salt)
    check = passphrase.encrypt(key, passphrase.CHECK_WORD, b"c" * 12)
    return f"v1:{base64.b64encode(salt).decode()}:{check}", key


def write(path: Path, config: dict, cert_pem: str, key_pem: str) -> Path:
    """The stack file with the PEM pair as passphrase-encrypted secure values."""
    salt, key = _key()
    data = {
        "encryptionsalt": salt,
        "config": {
            **config,
            "azureml-k8s:sslCertPem": {"secure": passphrase.encrypt(key, cert_pem, b"1" * 12)},
            "azureml-k8s:sslKeyPem": {"secure": passphrase.encrypt(key, key_pem, b"2" * 12)},
        },
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def preflight(*args: str) -> subprocess.CompletedProcess:
    """python -m preflight with the stack's passphrase, as CI runs it."""
    return run_preflight(*args, env={passphrase.ENV: PHRASE})


def parse(config: dict, warnings: list | None = None, file: str = "Pulumi.prod.yaml"):
    """The settings of a config mapping (as in a stack file), the PEM pair as secret
    placeholders; warnings, when given, collect what is valid but worth a warning."""
    values = {
        key: json.dumps(value) if isinstance(value, (dict, list)) else value
        for key, value in config.items()
    }
    secrets = {"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"}
    for key in secrets:
        values[key] = "preflight-secret-placeholder"
    return stack_settings.parse(values, secrets, file, warnings=warnings)


def errors(config: dict) -> list[tuple[str, str]]:
    """The (key path, message) problems of a config that must not validate."""
    try:
        parse(config)
    except stack_settings.SettingsError as err:
        return err.errors
    raise AssertionError("the settings validated")
