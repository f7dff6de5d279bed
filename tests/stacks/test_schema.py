"""stacks/schema.json and docs/settings.md: generated from the models, never stale, and the schema
accepts the shipped stacks and rejects what the settings reject."""

import json

import jsonschema
import pytest
import yaml

from stacks.settings import schema
from tests.conftest import ROOT

STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def validator():
    document = json.loads(schema.SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def test_generated_files_are_current():
    for path, text in schema.rendered().items():
        assert path.read_text() == text, (
            f"{path.name} is stale: run python -m stacks.settings.schema"
        )


@pytest.mark.parametrize("stack", STACKS, ids=lambda p: p.name)
def test_shipped_stacks_validate(validator, stack):
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(stack.read_text()))]
    assert errors == []


def _dev():
    return yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.update({"azureml-k8s:extention": c.pop("azureml-k8s:extension")}),
        lambda c: c["azureml-k8s:cluster"]["nodePools"][0].update(vmsize="Standard_D4s_v5"),
        lambda c: c["azureml-k8s:extension"].update(enableTraining="yes please"),
        lambda c: c.update({"azureml-k8s:sslKeyPem": "-----BEGIN PRIVATE KEY-----"}),
        lambda c: c.pop("azureml-k8s:environment"),
    ],
    ids=["misspelt top key", "misspelt nested key", "wrong type", "plain secret", "missing"],
)
def test_schema_rejects(validator, mutate):
    document = _dev()
    mutate(document["config"])
    assert list(validator.iter_errors(document))


def test_other_namespaces_are_free(validator):
    document = _dev()
    document["config"]["azure-native:clientId"] = "x"
    document["config"]["azureml-k8s:sslKeyPem"] = {"secure": "v1:abc"}
    assert list(validator.iter_errors(document)) == []
