from xml.etree import ElementTree

import pytest

from router import traffic
from router.chart import render_svg
from router.scale import ScaleSettings
from router.service import ServiceTime
from router.simulation import simulate

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def day():
    return simulate(
        traffic.sinusoid(20, 15, 86400, 86400),
        ServiceTime(100),
        ScaleSettings(min_instances=1, max_instances=8),
        seed=1,
        latency_goal_ms=500,
        wait_goal_ms=100,
        start_delay_s=60,
    )


def texts(svg: str) -> list[str]:
    return [t.text for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_chart_has_three_labelled_panels_and_legends(day):
    svg = render_svg(day)
    for expected in (
        "Offered load: requests arriving per second",
        "Model replicas (pods), highest and lowest at the polls of each interval",
        "Latency and queue wait of the requests arriving in each interval",
        "requests / s",
        "replicas",
        "latency (log scale)",
        "time since start (h)",
        "mean per 300 s",
        "busiest 1 s poll",
        "ready, highest",
        "ready, lowest",
        "ready + starting",
        "formula at the load",
        "min / maxInstances",
        "p50 latency",
        "p99 latency",
        "p99 queue wait",
        "timeout 5 s",
        "latency goal 500 ms",
        "wait goal 100 ms",
    ):
        assert expected in texts(svg)
    assert "nan" not in svg.lower()


def test_chart_states_the_settings_and_the_model(day):
    lines = texts(render_svg(day))
    settings = next(t for t in lines if t.startswith("Settings:"))
    model = next(t for t in lines if t.startswith("Model:"))
    assert "minInstances 1 · maxInstances 8 · targetUtilizationPercentage 70" in settings
    assert "instant sampling" in model and "pods serve 60 s after the decision" in model


def test_peaks_are_the_highest_poll_of_each_bucket(day):
    # Buckets of 300 polls: a bucket's highest ready count is at least its lowest, and the
    # busiest poll carries at least the bucket's mean rate.
    series = day.series
    assert series.interval_s == 300
    assert all(low <= high for low, high in zip(series.ready_min, series.ready_max))
    assert any(low < high for low, high in zip(series.ready_min, series.ready_max))
    assert all(peak >= mean for peak, mean in zip(series.offered_peak_rps, series.offered_rps))
    assert all(1 <= f <= 8 for f in series.formula)


def test_chart_is_deterministic(day):
    assert render_svg(day) == render_svg(day)
