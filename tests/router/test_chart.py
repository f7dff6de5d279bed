from xml.etree import ElementTree

import pytest

from router import traffic
from router.chart import render_svg
from router.scale import ScaleSettings
from router.simulator import ServiceTime, simulate


@pytest.fixture(scope="module")
def day():
    return simulate(
        traffic.sinusoid(20, 15, 86400, 86400),
        ServiceTime(0.1),
        ScaleSettings(min_instances=1, max_instances=8),
        seed=1,
        slo_latency_ms=500,
        start_delay_s=60,
    )


def test_chart_has_three_labelled_panels_and_legends(day):
    svg = render_svg(day)
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for expected in (
        "Offered load: requests arriving per second",
        "Model replicas (pods)",
        "Latency of the requests arriving in each interval",
        "requests / s",
        "replicas",
        "latency (log scale)",
        "time since start (h)",
        "ready (serving)",
        "ready + starting",
        "min / max_instances",
        "p50",
        "p99",
        "timeout 5 s",
        "goal 500 ms",
    ):
        assert expected in texts
    assert "nan" not in svg.lower()


def test_chart_is_deterministic(day):
    assert render_svg(day) == render_svg(day)
