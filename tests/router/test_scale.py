import pytest

from router.scale import RequestSettings, ScaleSettings, ScaleSettingsError


def test_documented_defaults():
    assert ScaleSettings().to_v2() == {
        "type": "target_utilization",
        "min_instances": 1,
        "max_instances": 1,
        "target_utilization_percentage": 70,
        "polling_interval": 1,
    }
    assert RequestSettings().to_v2() == {
        "max_concurrent_requests_per_instance": 1,
        "request_timeout_ms": 5000,
    }


def test_v2_round_trip():
    v2 = {
        "type": "target_utilization",
        "min_instances": 3,
        "max_instances": 15,
        "target_utilization_percentage": 70,
        "polling_interval": 10,
    }
    assert ScaleSettings.from_v2(v2).to_v2() == v2


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
    v2 = ScaleSettings(
        min_instances=2, max_instances=9, target_utilization_percentage=55, polling_interval=5
    )
    assert ScaleSettings.from_v1(v2.to_v1()) == v2
    # v1 defaults to 10 replicas at most, v2 to 1.
    assert ScaleSettings.from_v1({}).max_instances == 10


def test_v1_fixed_replicas_is_min_equals_max():
    settings = ScaleSettings.from_v1({"autoscale_enabled": False, "num_replicas": 3})
    assert (settings.min_instances, settings.max_instances) == (3, 3)
    assert (
        ScaleSettings.from_v1({"num_replicas": 2}).max_instances == 2
    )  # autoscale off when num_replicas is set


@pytest.mark.parametrize(
    ("build", "field", "fragment"),
    [
        (lambda: ScaleSettings(min_instances=0), "scale_settings.min_instances", ">= 1"),
        (
            lambda: ScaleSettings(min_instances=3, max_instances=2),
            "scale_settings.max_instances",
            "raise max_instances",
        ),
        (
            lambda: ScaleSettings(target_utilization_percentage=0),
            "scale_settings.target_utilization_percentage",
            "between 1 and 100",
        ),
        (
            lambda: ScaleSettings(target_utilization_percentage=101),
            "scale_settings.target_utilization_percentage",
            "between 1 and 100",
        ),
        (lambda: ScaleSettings(polling_interval=0), "scale_settings.polling_interval", ">= 1"),
        (lambda: ScaleSettings(max_instances=2.5), "scale_settings.max_instances", "whole number"),
        (lambda: ScaleSettings(max_instances=True), "scale_settings.max_instances", "whole number"),
        (
            lambda: ScaleSettings(type="default"),
            "scale_settings.type",
            "min_instances == max_instances",
        ),
        (
            lambda: ScaleSettings.from_v2({"min_instance": 2}),
            "scale_settings.min_instance",
            "did you mean 'min_instances'",
        ),
        (lambda: ScaleSettings.from_v2([1]), "scale_settings", "mapping"),
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
            lambda: RequestSettings(request_timeout_ms=0),
            "request_settings.request_timeout_ms",
            ">= 1",
        ),
        (
            lambda: RequestSettings.from_v2({"timeout": 1}),
            "request_settings.timeout",
            "known keys: max_concurrent",
        ),
    ],
)
def test_invalid_settings_name_the_field_and_the_fix(build, field, fragment):
    with pytest.raises(ScaleSettingsError) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert fragment in str(caught.value)
