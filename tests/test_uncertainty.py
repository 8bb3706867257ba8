"""The pieces behind every system's uncertainties, against values worked out by hand: conformal intervals,
the training-domain checks, temperature scaling and reliability, coverage scores."""

import numpy as np
import pytest

from stellarnn.evaluation.coverage import interval_scores
from stellarnn.models import domain
from stellarnn.models.conformal import Calibration, check_level, coverage
from stellarnn.models.probability import apply_temperature, fit_temperature, reliability


def test_conformal_half_width_is_the_finite_sample_quantile():
    # residuals 1..100: the interval at level p is the ceil((n + 1) p)-th smallest residual
    calibration = Calibration(np.arange(1.0, 101.0), np.full(100, 500.0))
    assert calibration.half_width(0.68) == 69.0  # ceil(101 * 0.68) = 69
    assert calibration.half_width(0.95) == 96.0  # ceil(101 * 0.95) = 96
    assert calibration.half_width(0.995) == np.inf  # 101 * 0.995 > 100: no finite bound from 100 rows
    low, high = calibration.interval(np.array([10.0, -5.0]), 0.68, low=0.0)
    np.testing.assert_array_equal(low, [0.0, 0.0])  # clipped where the output cannot be negative
    np.testing.assert_array_equal(high, [79.0, 64.0])


def test_conformal_intervals_cover_new_rows_from_the_same_distribution():
    rng = np.random.default_rng(3)
    truth, predicted = rng.normal(size=2000), np.zeros(2000)
    calibration = Calibration.fit(truth, predicted, truth)
    new = rng.normal(size=200_000)
    for level in (0.68, 0.95):
        low, high = calibration.interval(np.zeros(new.size), level)
        # sigma of the realised coverage with 2,000 calibration rows: sqrt(p (1 - p) / 2001) <= 1.1 %
        assert coverage(new, low, high) == pytest.approx(level, abs=0.035)


def test_mondrian_bins_widen_where_the_model_is_worse():
    rng = np.random.default_rng(4)
    bins = np.repeat([0, 1], 1000)
    residual = np.abs(rng.normal(size=2000)) * np.where(bins == 1, 5.0, 1.0)
    calibration = Calibration(residual, np.full(2000, 100.0), bins)
    narrow, wide = calibration.half_width(0.68, bins=np.array([0, 1]))
    assert wide / narrow == pytest.approx(5.0, rel=0.15)
    unseen = calibration.half_width(0.68, bins=np.array([7]))[0]  # a bin calibration never saw: all rows
    assert narrow < unseen < wide


def test_not_constrained_when_the_interval_is_as_wide_as_the_labels():
    labels = np.linspace(-1, 1, 400)
    informative = Calibration.fit(labels, labels + 0.05, labels)  # residual 0.05 against a 0.68-spread of ~0.68
    useless = Calibration.fit(labels, np.zeros(400), labels)  # predicts the median: no better than the labels
    # explains 40 % of the variance (interval 0.77 of the labels'): mostly the prior, so not constrained; 60 %: is
    weak = Calibration(np.full(400, 0.77), np.ones(400))
    half = Calibration(np.full(400, 0.63), np.ones(400))
    assert informative.constrained() and not useless.constrained()
    assert not weak.constrained() and half.constrained()


def test_calibration_survives_json():
    original = Calibration(np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0]), np.array([0, 1, 1]))
    again = Calibration.from_json(original.to_json())
    np.testing.assert_array_equal(again.residuals, original.residuals)
    np.testing.assert_array_equal(again.bins, original.bins)


@pytest.mark.parametrize("bad", [0, 1, 1.2, -0.5, float("nan")])
def test_levels_outside_zero_one_are_refused(bad):
    from stellarnn.errors import UserInputError

    with pytest.raises(UserInputError, match="level must be a probability") as raised:
        check_level(bad)
    assert raised.value.command_line().startswith("--level must") and "--" not in str(raised.value)


def test_box_domain():
    box = domain.Box.fit(np.array([[0.0, 10.0], [1.0, 20.0]]), ("a", "b"))
    assert box.contains(np.array([[0.5, 15.0], [1.5, 15.0], [0.5, 9.0]])).tolist() == [True, False, False]
    again = domain.from_json(box.to_json())
    assert again.contains(np.array([[1.0, 20.0]])).tolist() == [True]


def test_cell_domain_follows_a_band_not_a_box():
    # training stars along the diagonal y = x; the empty corners of their bounding box are outside
    x = np.linspace(0, 10, 200)
    cells = domain.Cells.fit(np.column_stack([x, x]), ("x", "y"), (1.0, 1.0))
    inside = cells.contains(np.array([[5.0, 5.0], [5.0, 6.5], [5.0, 8.5], [0.5, 9.5], [np.nan, 1.0], [-0.5, -0.5]]))
    # the cell next to an occupied one counts (one-cell margin); two cells away does not; NaN is outside
    assert inside.tolist() == [True, True, False, False, False, True]
    assert domain.from_json(cells.to_json()).contains(np.array([[9.9, 9.9]])).tolist() == [True]
    assert domain.warning(0, 10) is None and "3 of 10 stars" in domain.warning(3, 10, "stars")


def test_temperature_scaling_recovers_an_overconfident_model():
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(20_000, 4)) * 2
    truth_p = apply_temperature(np.exp(logits), 1.0)
    labels = np.array([rng.choice(4, p=p) for p in truth_p])
    overconfident = apply_temperature(np.exp(logits), 1 / 3)  # logits x 3
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)
    before = reliability(overconfident, labels)["expected_calibration_error"]
    after = reliability(apply_temperature(overconfident, 3.0), labels)["expected_calibration_error"]
    assert before > 0.1 and after < 0.02
    # scaling never changes which class is chosen
    assert (np.argmax(apply_temperature(overconfident, 3.0), 1) == np.argmax(overconfident, 1)).all()


def test_reliability_bins_by_hand():
    p = np.array([[0.95, 0.05], [0.85, 0.15], [0.65, 0.35], [0.55, 0.45]])
    truth = np.array([0, 1, 0, 0])  # one row per bin of 0.1: right, wrong, right, right
    table = reliability(p, truth)
    assert [b["rows"] for b in table["bins"]] == [1, 1, 1, 1]
    # ECE = 1/4 (|0.55-1| + |0.65-1| + |0.85-0| + |0.95-1|) = 1/4 (0.45 + 0.35 + 0.85 + 0.05)
    assert table["expected_calibration_error"] == pytest.approx(0.425)


def test_interval_scores_by_hand():
    truth = np.array([0.0, 1.0, 2.0, np.nan])
    scores = interval_scores(truth, np.zeros(4), {0.5: 1.5, 0.9: np.array([0.5, 0.5, 2.5, 9.0])})
    assert scores["0.5"] == {"coverage": pytest.approx(2 / 3), "mean_half_width": 1.5}
    assert scores["0.9"]["coverage"] == pytest.approx(2 / 3) and scores["0.9"]["mean_half_width"] == pytest.approx(
        7 / 6
    )
