"""Online endpoints: the issue's prod stack end to end through preflight (clean, every secret
hidden, each listed mistake exit 2 naming its key), the sizing, the endpoint rules, and the
resources as the plan shows them."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from components import endpoints as endpoints_component
from router import recommend
from tests.support import pki, prod_stack

pytestmark = pytest.mark.process

FILE = "Pulumi.prod.yaml"
ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment"


@pytest.fixture(scope="module")
def pair():
    return pki.server((prod_stack.CNAME,))


@pytest.fixture(scope="module")
def stack(tmp_path_factory, pair):
    path = tmp_path_factory.mktemp("prod") / "Pulumi.prod.yaml"
    return prod_stack.write(path, prod_stack.config(), pair.cert, pair.key)


@pytest.fixture(scope="module")
def runs(stack):
    """preview and check, in json and text, two at a time."""
    jobs = [(command, output) for command in ("preview", "check") for output in ("json", "text")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(
            lambda job: prod_stack.preflight(job[0], "--config", str(stack), "--format", job[1]),
            jobs,
        )
        return dict(zip(jobs, done))


@pytest.fixture(scope="module")
def plan(runs):
    result = runs[("preview", "json")]
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def resources(plan: dict, type_token: str) -> dict[str, dict]:
    return {r["name"]: r for r in plan["resources"] if r["type"] == type_token}


def test_prod_stack_checks_clean_with_every_secret_hidden(runs, pair):
    outputs = []
    for job, result in runs.items():
        assert result.returncode == 0, (job, result.stdout, result.stderr)
        outputs.append(result.stdout + result.stderr)
    assert "no violations" in runs[("check", "text")].stdout
    secret_lines = [
        line for line in (pair.key + pair.cert).splitlines() if not line.startswith("-----")
    ]
    for text in outputs:
        assert not any(line in text for line in secret_lines)
        assert "PRIVATE KEY" not in text


def test_the_plan_has_the_secret_the_types_and_blue_green(plan):
    secret = resources(plan, "kubernetes:core/v1:Secret")["azureml-tls-secret"]
    assert secret["inputs"]["stringData"] == "[secret]"
    extension = resources(plan, "azure-native:kubernetesconfiguration:Extension")
    inputs = extension["azureml-ml-extension"]["inputs"]
    assert inputs["configurationSettings"]["scoringFe.sslSecret"] == "azureml-fe-tls"
    assert "configurationProtectedSettings" not in inputs  # the PEM is in the Secret only
    types = resources(plan, "kubernetes:amlarc.azureml.com/v1alpha1:InstanceType")
    assert sorted(r["inputs"]["metadata"]["name"] for r in types.values()) == [
        "cpu-small",
        "gpu-a100",
    ]
    assert types["azureml-instance-types-gpu-a100"]["inputs"]["spec"] == {
        "nodeSelector": {"accelerator": "a100"},
        "resources": {
            "requests": {"cpu": "8", "memory": "64Gi"},
            "limits": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": 1},
        },
    }
    endpoint = resources(plan, ENDPOINT)["azureml-endpoints-fraud-score"]["inputs"]
    assert endpoint["kind"] == "Kubernetes"
    assert endpoint["properties"]["authMode"] == "Key"
    assert endpoint["properties"]["traffic"] == {"blue": 90, "green": 10}
    deployments = resources(plan, DEPLOYMENT)
    blue = deployments["azureml-endpoints-fraud-score-blue"]["inputs"]
    green = deployments["azureml-endpoints-fraud-score-green"]["inputs"]
    assert (blue["endpointName"], blue["deploymentName"]) == ("fraud-score", "blue")
    assert blue["properties"]["endpointComputeType"] == "Kubernetes"
    assert blue["properties"]["instanceType"] == "cpu-small"
    assert blue["properties"]["model"] == "azureml:fraud-model:3"
    assert blue["properties"]["requestSettings"]["requestTimeout"] == "PT15S"
    assert green["properties"]["instanceType"] == "gpu-a100"
    assert green["properties"]["scaleSettings"] == {
        "scaleType": "TargetUtilization",
        "minInstances": 1,
        "maxInstances": 4,
        "targetUtilizationPercentage": 70,
        "pollingInterval": "PT1S",
    }


def test_sizing_20_rps_10_s_one_per_instance_at_70_gives_286(plan):
    # The documented example (Learn inference router page): ceil(20 x 10 / 0.7 / 1) = 286.
    blue = resources(plan, DEPLOYMENT)["azureml-endpoints-fraud-score-blue"]["inputs"]
    assert blue["properties"]["scaleSettings"]["maxInstances"] == 286
    scaling = plan["outputs"]["scaling"]["fraud-score/blue"]
    assert scaling["maxInstances"] == 286
    assert "ceil(20 rps x 10 s / 0.7 / 1) = 286" in scaling["derivation"]
    assert plan["outputs"]["endpointKeys"] == "[secret]"


def test_resources_wait_in_order(plan):
    by_name = {r["name"]: r for r in plan["resources"]}
    urn = {name: r["urn"] for name, r in by_name.items()}
    extension = by_name["azureml-ml-extension"]
    assert urn["azureml-tls-secret"] in extension["dependencies"]
    for deployment in ("azureml-endpoints-fraud-score-blue", "azureml-endpoints-fraud-score-green"):
        waits = by_name[deployment]["dependencies"]
        assert urn["azureml-endpoints-fraud-score"] in waits
        assert urn["azureml-instance-types-gpu-a100"] in waits
        assert urn["azureml-compute-k8s-team-a"] in waits
    for item in ("azureml-instance-types-cpu-small", "azureml-instance-types-gpu-a100"):
        assert urn["azureml-ml-extension"] in by_name[item]["dependencies"]


def _deployments(config):
    return config["azureml-k8s:endpoints"][0]["deployments"]


AT = "config.azureml-k8s:endpoints[0].deployments"


@pytest.mark.parametrize(
    "change,certificate,path,fragment",
    [
        (None, {"key_kind": "other"}, "config.azureml-k8s:sslKeyPem", "does not match"),
        (None, {"days_left": -3}, "config.azureml-k8s:sslCertPem", "expired on"),
        (
            None,
            {"names": ("scoring.other.com",)},
            "config.azureml-k8s:sslCertPem",
            "does not cover sslCname",
        ),
        (
            lambda c: c["azureml-k8s:instanceTypes"][1]["resources"]["requests"].update(
                {"nvidia.com/gpu": 1}
            ),
            {},
            "config.azureml-k8s:instanceTypes[1].resources.requests.nvidia.com/gpu",
            "limits only",
        ),
        (
            lambda c: _deployments(c)[1].update({"instanceType": "gpu-h100"}),
            {},
            f"{AT}[1].instanceType",
            "unknown instance type 'gpu-h100'",
        ),
        (
            lambda c: _deployments(c)[1].update({"traffic": 0}),
            {},
            AT,
            "traffic sums to 90",
        ),
        (
            lambda c: _deployments(c)[0].update(
                {"model": "azureml://registries/azureml/models/fraud/versions/1"}
            ),
            {},
            f"{AT}[0].model",
            "registry model",
        ),
    ],
    ids=[
        "mismatched-key",
        "expired",
        "other-name",
        "gpu-in-requests",
        "unknown-instance-type",
        "traffic-90",
        "registry-model",
    ],
)
def test_each_mistake_fails_check_with_exit_2_naming_the_key(
    tmp_path, change, certificate, path, fragment
):
    config = prod_stack.config()
    if change:
        change(config)
    certificate = dict(certificate)
    names = certificate.pop("names", (prod_stack.CNAME,))
    bad = pki.server(names, **certificate)
    stack = prod_stack.write(tmp_path / "Pulumi.prod.yaml", config, bad.cert, bad.key)
    result = prod_stack.preflight("check", "--config", str(stack), "--format", "json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    found = json.loads(result.stdout)["errors"]
    assert any(e["path"].endswith(f": {path}") and fragment in e["message"] for e in found), found
    assert bad.key.splitlines()[1] not in result.stdout + result.stderr


# Settings: sizing and rules, without the engine ----------------------------------------------


parse, errors = prod_stack.parse, prod_stack.errors


def with_change(change) -> dict:
    config = prod_stack.config()
    change(config)
    return config


def test_a_wait_goal_gets_complete_settings_from_router():
    # 200 rps x 0.1 s is 20 requests in flight: the formula at 70 % gives 29 replicas; a 20 ms p99
    # wait at +10 % traffic needs 34 from the start, and a target that holds them.
    config = with_change(
        lambda c: _deployments(c)[0].update(
            {"sizing": {"rps": 200, "requestTimeMs": 100, "waitGoalMs": 20}}
        )
    )
    scale, derivation = parse(config).endpoints[0].deployments[0].scale()
    recommended = recommend.recommend_scale_settings(200, 100, 1, wait_goal_ms=20)
    assert scale == recommended.settings
    assert scale.min_instances > 29 and "Erlang C" in derivation


def test_a_wait_goal_chooses_min_and_target_itself():
    config = with_change(
        lambda c: _deployments(c)[0].update(
            {
                "sizing": {"rps": 200, "requestTimeMs": 100, "waitGoalMs": 20},
                "scaleSettings": {"targetUtilizationPercentage": 70},
            }
        )
    )
    found = errors(config)
    assert any(
        path.endswith("scaleSettings.targetUtilizationPercentage") and "router/ chooses" in message
        for path, message in found
    ), found


@pytest.mark.parametrize(
    "change,path,fragment",
    [
        (
            lambda c: c["azureml-k8s:endpoints"][0].update({"compute": "k8s-team-z"}),
            "config.azureml-k8s:endpoints[0].compute",
            "unknown compute 'k8s-team-z'",
        ),
        (
            lambda c: c["azureml-k8s:endpoints"][0].update({"compute": "k8s-team-b"}),
            f"{AT}[1].instanceType",
            "does not offer instance type 'gpu-a100'",
        ),
        (
            lambda c: _deployments(c)[1].update({"name": "blue"}),
            f"{AT}[1].name",
            "unique",
        ),
        (
            lambda c: _deployments(c)[1]["scaleSettings"].update({"minInstances": 5}),
            f"{AT}[1].scaleSettings.maxInstances",
            "must be >= minInstances (5)",
        ),
        (
            lambda c: _deployments(c)[1]["scaleSettings"].update(
                {"targetUtilizationPercentage": 0}
            ),
            f"{AT}[1].scaleSettings.targetUtilizationPercentage",
            "between 1 and 100",
        ),
        (
            lambda c: _deployments(c)[1].update({"requestSettings": {"requestTimeoutMs": 200000}}),
            f"{AT}[1].requestSettings.requestTimeoutMs",
            "180000",
        ),
        (
            lambda c: _deployments(c)[0].update({"scaleSettings": {"maxInstances": 10}}),
            f"{AT}[0].sizing",
            "not both",
        ),
        (
            lambda c: _deployments(c)[0].update({"requestSettings": {}}),
            f"{AT}[0].sizing.requestTimeMs",
            "time out",
        ),
        (
            lambda c: _deployments(c)[0]["sizing"].update({"maxConcurrentRequestsPerInstance": 2}),
            f"{AT}[0].sizing.maxConcurrentRequestsPerInstance",
            "make them equal",
        ),
        (
            lambda c: _deployments(c)[0]["sizing"].update({"payloadMb": 150}),
            f"{AT}[0].sizing.payloadMb",
            "maximum payload of 100 MB",
        ),
        (
            lambda c: _deployments(c)[0]["sizing"].update({"waitGoalMs": 10}),
            f"{AT}[0].sizing.waitGoalMs",
            "overhead",
        ),
        (
            lambda c: (
                c["azureml-k8s:extension"].update(
                    {"enableInference": False, "sslCname": None, "sslSecret": None}
                )
                or c.pop("azureml-k8s:tls")
            ),
            "config.azureml-k8s:extension.enableInference",
            "need inference",
        ),
    ],
    ids=[
        "unknown-compute",
        "type-not-offered",
        "duplicate-deployment",
        "min-above-max",
        "target-zero",
        "timeout-above-max",
        "sizing-and-max",
        "timeout-below-request-time",
        "sizing-concurrency-mismatch",
        "payload-above-max",
        "wait-goal-below-overhead",
        "endpoints-without-inference",
    ],
)
def test_each_endpoint_rule_fails_alone(change, path, fragment):
    found = errors(with_change(change))
    assert any(p == path and fragment in m for p, m in found), found


def test_the_fixture_fits(plan):
    assert parse(prod_stack.config(), warnings := []) and warnings == []


def test_token_auth_is_aml_token(stack_file, tmp_path, pair):
    config = with_change(lambda c: c["azureml-k8s:endpoints"][0].update({"authMode": "amlToken"}))
    stack = prod_stack.write(tmp_path / "Pulumi.prod.yaml", config, pair.cert, pair.key)
    result = prod_stack.preflight("preview", "--config", str(stack), "--format", "json")
    assert result.returncode == 0, result.stderr
    endpoint = resources(json.loads(result.stdout), ENDPOINT)["azureml-endpoints-fraud-score"]
    assert endpoint["inputs"]["properties"]["authMode"] == "AMLToken"


def test_warnings_reach_the_preview_without_failing_it(tmp_path):
    config = with_change(
        lambda c: c["azureml-k8s:cluster"]["nodePools"][1].update({"maxCount": 10})
    )
    soon = pki.server((prod_stack.CNAME,), days_left=12)
    stack = prod_stack.write(tmp_path / "Pulumi.prod.yaml", config, soon.cert, soon.key)
    result = prod_stack.preflight("preview", "--config", str(stack), "--format", "text")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "warning:" in line]
    assert any("config.azureml-k8s:sslCertPem: the certificate expires in" in w for w in warnings)
    assert any("need 286 replicas; cpu hold 160 at most" in w for w in warnings)


@pytest.mark.parametrize(
    "reported,cname,expected",
    [
        (
            "http://10.0.0.4/api/v1/endpoint/fraud-score/score",
            "scoring.ml.contoso.com",
            "https://scoring.ml.contoso.com/api/v1/endpoint/fraud-score/score",
        ),
        ("http://10.0.0.4/score", None, "http://10.0.0.4/score"),
        (None, "scoring.ml.contoso.com", None),
    ],
)
def test_scoring_uri_is_on_the_https_host(reported, cname, expected):
    assert endpoints_component.scoring_uri(reported, cname) == expected
