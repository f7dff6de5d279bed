import pytest

from router.scale import RequestSettings, ScaleSettings, ScaleSettingsError


def test_documented_defaults_in_the_stacks_words():
    assert ScaleSettings().to_stack() == {
        "minInstances": 1,
        "maxInstances": 1,
        "targetUtilizationPercentage": 70,
        "pollingIntervalS": 1,
    }
    assert RequestSettings().to_stack() == {
        "maxConcurrentRequestsPerInstance": 1,
        "requestTimeoutMs": 5000,
    }


def test_stack_round_trip():
    stack = {
        "minInstances": 3,
        "maxInstances": 15,
        "targetUtilizationPercentage": 70,
        "pollingIntervalS": 10,
    }
    assert ScaleSettings.from_stack(stack).to_stack() == stack
    assert RequestSettings.from_stack({"requestTimeoutMs": 900}).request_timeout_ms == 900


def test_v1_round_trip_and_v1_defaults():
    v1 = {
        "autoscale_enabled": True,
        "autoscale_min_replicas": 1,
        "autoscale_max_replicas": 4,
        "autoscale_target_utilization": 30,
        "autoscale_refresh_seconds": 1,
    }
    settings = ScaleSettings.from_v1(v1)
    assert settings == ScaleSettings(
        min_instances=1, max_instances=4, target_utilization_percentage=30
    )
    assert settings.to_v1() == v1
    other = ScaleSettings(
        min_instances=2, max_instances=9, target_utilization_percentage=55, polling_interval_s=5
    )
    assert ScaleSettings.from_v1(other.to_v1()) == other
    # v1 defaults to 10 replicas at most, v2 to 1.
    assert ScaleSettings.from_v1({}).max_instances == 10


def test_v1_fixed_replicas_is_min_equals_max():
    settings = ScaleSettings.from_v1({"autoscale_enabled": False, "num_replicas": 3})
    assert (settings.min_instances, settings.max_instances) == (3, 3)
    # autoscale is off when num_replicas is set
    assert ScaleSettings.from_v1({"num_replicas": 2}).max_instances == 2


@pytest.mark.parametrize(
    ("build", "field", "fragment"),
    [
        (lambda: ScaleSettings(min_instances=0), "minInstances", ">= 1"),
        (
            lambda: ScaleSettings(min_instances=3, max_instances=2),
            "maxInstances",
            "raise maxInstances",
        ),
        (
            lambda: ScaleSettings(target_utilization_percentage=0),
            "targetUtilizationPercentage",
            "between 1 and 100",
        ),
        (
            lambda: ScaleSettings(target_utilization_percentage=101),
            "targetUtilizationPercentage",
            "between 1 and 100",
        ),
        (lambda: ScaleSettings(polling_interval_s=0), "pollingIntervalS", ">= 1"),
        (lambda: ScaleSettings(max_instances=2.5), "maxInstances", "whole number"),
        (lambda: ScaleSettings(max_instances=True), "maxInstances", "whole number"),
        (
            lambda: ScaleSettings.from_stack({"minInstance": 2}),
            "scaleSettings.minInstance",
            "did you mean 'minInstances'",
        ),
        (lambda: ScaleSettings.from_stack([1]), "scaleSettings", "mapping"),
        (
            lambda: ScaleSettings.from_v1({"autoscale_enabled": False}),
            "v1.num_replicas",
            "required",
        ),
        (
            lambda: ScaleSettings.from_v1({"autoscale_enabled": True, "num_replicas": 2}),
            "v1.num_replicas",
            "contradicts",
        ),
        (
            lambda: ScaleSettings.from_v1({"autoscale_enabled": "yes"}),
            "v1.autoscale_enabled",
            "true or false",
        ),
        (
            lambda: ScaleSettings.from_v1({"autoscale_max_replicas": 0}),
            "v1.autoscale_max_replicas",
            ">= 1",
        ),
        (lambda: RequestSettings(request_timeout_ms=0), "requestTimeoutMs", "between 1 and"),
        (lambda: RequestSettings(request_timeout_ms=180_001), "requestTimeoutMs", "180000"),
        (
            lambda: RequestSettings.from_stack({"timeout": 1}),
            "requestSettings.timeout",
            "did you mean 'requestTimeoutMs'",
        ),
        (
            lambda: RequestSettings.from_stack({"zzz": 1}),
            "requestSettings.zzz",
            "known keys: maxConcurrent",
        ),
    ],
)
def test_invalid_settings_name_the_key_and_the_fix(build, field, fragment):
    with pytest.raises(ScaleSettingsError) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert fragment in str(caught.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScaleSettingsError) as caught:
        ScaleSettings(min_instances=0, target_utilization_percentage=0, polling_interval_s=0)
    assert [key for key, _ in caught.value.problems] == [
        "minInstances",
        "targetUtilizationPercentage",
        "pollingIntervalS",
    ]
