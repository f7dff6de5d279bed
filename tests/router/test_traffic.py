import numpy as np
import pytest

from router import traffic
from router.inputs import InputError


def arrivals(shape, seed=1):
    return np.concatenate(list(shape.arrivals(np.random.default_rng(seed))))


def test_constant_is_evenly_spaced():
    times = arrivals(traffic.constant(4, 10))
    assert len(times) == 40
    assert np.allclose(np.diff(times), 0.25)
    assert times[0] == 0 and times[-1] < 10


def test_poisson_count_and_chunks():
    # 500,000 expected arrivals (several chunks): the count is within 5 sd (sd = sqrt(500,000) = 707).
    times = arrivals(traffic.poisson(500, 1000))
    assert abs(len(times) - 500_000) < 5 * 707
    assert np.all(np.diff(times) >= 0) and times[-1] < 1000
    chunks = list(traffic.poisson(500, 1000).arrivals(np.random.default_rng(1)))
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= traffic.CHUNK


def test_same_seed_same_arrivals():
    shape = traffic.sinusoid(50, 40, 600, 600)
    assert np.array_equal(arrivals(shape, 7), arrivals(shape, 7))
    assert not np.array_equal(arrivals(shape, 7), arrivals(shape, 8))


def test_step_rate_changes_at_the_step():
    times = arrivals(traffic.step(100, 400, 500, 1000))
    before, after = np.count_nonzero(times < 500), np.count_nonzero(times >= 500)
    assert abs(before - 50_000) < 5 * 224 and abs(after - 200_000) < 5 * 448


def test_ramp_integrates_the_linear_rate():
    times = arrivals(traffic.ramp(0, 200, 100, 300, 400))
    assert np.count_nonzero(times < 100) == 0
    # 0 -> 200 over 200 s is 20,000 expected; then 100 s at 200 is 20,000.
    assert abs(np.count_nonzero(times < 300) - 20_000) < 5 * 142
    assert abs(np.count_nonzero(times >= 300) - 20_000) < 5 * 142


def test_sinusoid_is_lowest_at_the_start_and_highest_at_half_period():
    times = arrivals(traffic.sinusoid(100, 80, 1000, 1000))
    per_100s = np.histogram(times, bins=10, range=(0, 1000))[0]
    assert per_100s.argmax() in (4, 5) and per_100s.argmin() in (0, 9)
    assert abs(len(times) - 100_000) < 5 * 317


def test_csv_times(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text("time\n0.5\n1.25\n1.25\n3\n")
    shape = traffic.from_csv(str(path), "times")
    assert shape.duration_s == 4 and arrivals(shape).tolist() == [0.5, 1.25, 1.25, 3.0]
    assert arrivals(traffic.from_csv(str(path), "times", duration_s=2)).tolist() == [
        0.5,
        1.25,
        1.25,
    ]


def test_csv_rates(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("second,rps\n" + "".join(f"{s},{1000 if s < 5 else 0}\n" for s in range(10)))
    times = arrivals(traffic.from_csv(str(path), "rates"))
    assert times.max() < 5 and abs(len(times) - 5000) < 5 * 71


@pytest.mark.parametrize(
    ("content", "kind", "fragment"),
    [
        ("1\n0.5\n", "times", ":2: arrival times must not decrease"),
        ("1\nabc\n", "times", ":2: expected numbers"),
        ("1\n-2\n", "rates", ":2: values must be finite and >= 0"),
        ("0,5\n2,5\n", "rates", ":2: expected second 1"),
        ("", "rates", "no data rows"),
        ("1\n", "seconds", "must be 'times' or 'rates'"),
    ],
)
def test_csv_errors_name_the_line(tmp_path, content, kind, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        traffic.from_csv(str(path), kind)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: traffic.poisson(0, 10), "rps"),
        (lambda: traffic.constant(1, -1), "duration_s"),
        (lambda: traffic.ramp(1, 2, 10, 5, 20), "ramp_end_s"),
        (lambda: traffic.sinusoid(10, 20, 100, 100), "amplitude_rps"),
        (lambda: traffic.step(1, float("nan"), 1, 10), "step_rps"),
        (lambda: traffic.from_csv("/no/such/file.csv", "times"), "csv"),
    ],
)
def test_invalid_traffic(build, field):
    with pytest.raises(InputError) as caught:
        build()
    assert caught.value.field == field
