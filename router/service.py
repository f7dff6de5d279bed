"""How long a replica slot spends on one request: the simulator's service-time distribution."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from router.inputs import InputError, choice, real, show

__all__ = ["DISTRIBUTIONS", "ServiceTime"]

DISTRIBUTIONS = ("exponential", "deterministic", "lognormal")
MAX_SERVICE_MS = 86_400_000.0  # a day


@dataclass(frozen=True)
class ServiceTime:
    """Exponential (the M/M/c assumption), deterministic, or lognormal with coefficient of
    variation `cv`, around a mean of `mean_ms` milliseconds."""

    mean_ms: float
    distribution: str = "exponential"
    cv: float = 1.0

    def __post_init__(self) -> None:
        mean = real(self.mean_ms)
        if mean is None or not 0 < mean <= MAX_SERVICE_MS:
            raise InputError(
                "request_time_ms",
                f"must be a number of milliseconds in (0, {MAX_SERVICE_MS:,.0f}] "
                f"(got {show(self.mean_ms)})",
            )
        choice("service_distribution", self.distribution, DISTRIBUTIONS)
        cv = real(self.cv)
        if cv is None or not 0 < cv <= 100:
            raise InputError("service_cv", f"must be a number in (0, 100] (got {show(self.cv)})")

    @property
    def mean_s(self) -> float:
        return self.mean_ms / 1000

    @property
    def cv2(self) -> float:
        """The squared coefficient of variation the queueing formulas take."""
        return {"exponential": 1.0, "deterministic": 0.0}.get(self.distribution, self.cv**2)

    @classmethod
    def from_cv2(cls, mean_ms: float, cv2: float) -> ServiceTime:
        """The distribution a sizing's service_cv2 describes: 1 exponential, 0 constant, else
        lognormal with that variation."""
        if cv2 == 1.0:
            return cls(mean_ms)
        if cv2 == 0.0:
            return cls(mean_ms, "deterministic")
        return cls(mean_ms, "lognormal", math.sqrt(cv2))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` request times in seconds."""
        mean_s = self.mean_s
        if self.distribution == "exponential":
            return rng.exponential(mean_s, n)
        if self.distribution == "deterministic":
            return np.full(n, mean_s)
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(mean_s) - sigma2 / 2, math.sqrt(sigma2), n)

    def describe(self) -> dict:
        described: dict[str, object] = {"distribution": self.distribution, "meanMs": self.mean_ms}
        if self.distribution == "lognormal":
            described["cv"] = self.cv
        return described
