"""Scale and request settings of an Azure ML Kubernetes online deployment: the one model.

The names are the stack's (`scaleSettings`, `requestSettings` in camelCase; the attributes here
are the same words in snake case), and so is every unit: seconds for the polling interval,
milliseconds for the request timeout. The stack settings, the policy pack, migrate_v1, the
router's CLI and the simulator all build these, so one validator says what is valid. The v1
`AksWebservice.deploy_configuration` names convert in (`from_v1`) and out (`to_v1`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from catalog import endpoints
from router.inputs import InputError, show

__all__ = ["RequestSettings", "ScaleSettings", "ScaleSettingsError"]

Problem = tuple[str, str]  # (stack key, message)


class ScaleSettingsError(InputError):
    """Invalid scale or request settings. `field` is the first problem's stack key; `problems`
    holds every (stack key, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(*problems[0])
        self.problems = problems


def _whole(key: str, value: object, minimum: int, maximum: int | None = None) -> list[Problem]:
    # bool is an int subclass; `true` for a replica count is a typo, not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        return [
            (
                key,
                f"must be a whole number (got {show(value)}); write it without quotes or decimals",
            )
        ]
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        return [(key, f"must be {bounds} (got {value})")]
    return []


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ScaleSettingsError(problems)


def _keys(cls: type) -> dict[str, str]:
    """stack key -> attribute: minInstances -> min_instances."""
    return {_camel(f.name): f.name for f in fields(cls)}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _from_stack(cls: type, given: object, where: str) -> dict[str, Any]:
    if not isinstance(given, Mapping):
        raise ScaleSettingsError(
            [(where, f"expected a mapping of settings (got {type(given).__name__})")]
        )
    known = _keys(cls)
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise ScaleSettingsError([(f"{where}.{key}", f"unknown setting; {hint}")])
    return {known[key]: value for key, value in given.items()}


@dataclass(frozen=True)
class ScaleSettings:
    """Target-utilization autoscaling by azureml-fe. Defaults are the documented ones
    (catalog.endpoints)."""

    min_instances: int = endpoints.MIN_INSTANCES_DEFAULT
    max_instances: int = endpoints.MAX_INSTANCES_DEFAULT
    target_utilization_percentage: int = endpoints.TARGET_UTILIZATION_DEFAULT
    polling_interval_s: int = endpoints.POLLING_INTERVAL_S_DEFAULT

    def __post_init__(self) -> None:
        problems = _whole("minInstances", self.min_instances, endpoints.MIN_INSTANCES_MIN)
        problems += _whole("maxInstances", self.max_instances, endpoints.MIN_INSTANCES_MIN)
        if not problems and self.max_instances < self.min_instances:
            problems.append(
                (
                    "maxInstances",
                    f"must be >= minInstances ({self.min_instances}) (got "
                    f"{self.max_instances}); raise maxInstances or lower minInstances",
                )
            )
        problems += _whole(
            "targetUtilizationPercentage",
            self.target_utilization_percentage,
            endpoints.TARGET_UTILIZATION_MIN,
            endpoints.TARGET_UTILIZATION_MAX,
        )
        problems += _whole(
            "pollingIntervalS",
            self.polling_interval_s,
            endpoints.POLLING_INTERVAL_S_MIN,
        )
        _raise(problems)

    @property
    def target_utilization(self) -> float:
        """The target as a fraction (0.7 for 70 %)."""
        return self.target_utilization_percentage / 100

    @classmethod
    def from_stack(cls, given: object, where: str = "scaleSettings") -> ScaleSettings:
        """From a stack's `scaleSettings` mapping; missing keys take the documented defaults."""
        return cls(**_from_stack(cls, given, where))

    def to_stack(self) -> dict[str, int]:
        """As a stack's `scaleSettings` takes it."""
        return {key: getattr(self, name) for key, name in _keys(type(self)).items()}

    @classmethod
    def from_v1(cls, data: object) -> ScaleSettings:
        """From v1 `AksWebservice` arguments; missing keys take the v1 defaults.

        `autoscale_enabled: false` means a fixed `num_replicas`, which behaves exactly like
        min_instances == max_instances == num_replicas.
        """
        if not isinstance(data, Mapping):
            raise ScaleSettingsError([("v1", "expected a mapping of v1 settings")])
        known = ("autoscale_enabled", "num_replicas", *_V1_TO_STACK)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
                raise ScaleSettingsError([(f"v1.{key}", f"unknown setting; {hint}")])
        merged = {**_V1_DEFAULTS, **data}
        enabled = merged.pop("autoscale_enabled", "num_replicas" not in data)
        if not isinstance(enabled, bool):
            raise ScaleSettingsError(
                [("v1.autoscale_enabled", f"must be true or false (got {show(enabled)})")]
            )
        replicas = merged.pop("num_replicas", None)
        if enabled and replicas is not None:
            raise ScaleSettingsError(
                [
                    (
                        "v1.num_replicas",
                        "a fixed count contradicts autoscale_enabled: true; "
                        "remove num_replicas or set autoscale_enabled: false",
                    )
                ]
            )
        if not enabled:
            if replicas is None:
                raise ScaleSettingsError(
                    [
                        (
                            "v1.num_replicas",
                            "required when autoscale_enabled is false; set the fixed count",
                        )
                    ]
                )
            _raise([(f"v1.{k}", m) for k, m in _whole("num_replicas", replicas, 1)])
            merged["autoscale_min_replicas"] = merged["autoscale_max_replicas"] = replicas
        try:
            return cls(**{_V1_TO_STACK[key]: value for key, value in merged.items()})
        except ScaleSettingsError as err:
            back = {_camel(name): v1 for v1, name in _V1_TO_STACK.items()}

            def in_v1_words(message: str) -> str:
                for stack_key, v1_key in back.items():
                    message = message.replace(stack_key, v1_key)
                return message

            raise ScaleSettingsError(
                [(f"v1.{back.get(k, k)}", in_v1_words(m)) for k, m in err.problems]
            ) from None

    def to_v1(self) -> dict[str, Any]:
        return {
            "autoscale_enabled": True,
            **{v1: getattr(self, n) for v1, n in _V1_TO_STACK.items()},
        }


# v1 argument -> attribute. autoscale_refresh_seconds is v1's polling interval.
# Source: azureml-core AksWebservice.deploy_configuration reference.
_V1_TO_STACK = {
    "autoscale_min_replicas": "min_instances",
    "autoscale_max_replicas": "max_instances",
    "autoscale_target_utilization": "target_utilization_percentage",
    "autoscale_refresh_seconds": "polling_interval_s",
}
# v1 defaults differ from v2 for max_instances (10 vs 1). Source: AksWebservice.deploy_configuration:
# autoscale_enabled defaults to True when num_replicas is not set, min 1, max 10, refresh 1 s,
# target 70 %.
_V1_DEFAULTS = {
    "autoscale_min_replicas": 1,
    "autoscale_max_replicas": 10,
    "autoscale_target_utilization": 70,
    "autoscale_refresh_seconds": 1,
}


@dataclass(frozen=True)
class RequestSettings:
    """Scoring request settings. Defaults are the documented ones (catalog.endpoints). The
    deprecated max_queue_wait_ms is not modelled: Learn says to raise the request timeout
    instead, so the timeout covers queueing and scoring."""

    max_concurrent_requests_per_instance: int = endpoints.MAX_CONCURRENT_REQUESTS_DEFAULT
    request_timeout_ms: int = endpoints.REQUEST_TIMEOUT_MS_DEFAULT

    def __post_init__(self) -> None:
        _raise(
            _whole(
                "maxConcurrentRequestsPerInstance",
                self.max_concurrent_requests_per_instance,
                1,
            )
            + _whole(
                "requestTimeoutMs", self.request_timeout_ms, 1, endpoints.REQUEST_TIMEOUT_MS_MAX
            )
        )

    @classmethod
    def from_stack(cls, given: object, where: str = "requestSettings") -> RequestSettings:
        return cls(**_from_stack(cls, given, where))

    def to_stack(self) -> dict[str, int]:
        return {key: getattr(self, name) for key, name in _keys(type(self)).items()}
