import numpy as np
import pytest

from stellarnn.evaluation.metrics import fraction_within, relative_error


def test_relative_error_is_signed_and_undefined_at_zero():
    np.testing.assert_allclose(relative_error([1.1, 0.9, 5.0], [1.0, 1.0, 0.0]), [0.1, -0.1, np.nan])


def test_fraction_within_is_symmetric():
    # 0.94 and 1.06 are 6 % off either way: both miss; 0.96 and 1.04 both hit (Fusion's rule took 0.06 as a hit).
    assert fraction_within([0.94, 1.06, 0.96, 1.04], [1, 1, 1, 1]) == pytest.approx(0.5)
    assert fraction_within([0.06], [1.0]) == 0.0


def test_fraction_within_can_meet_a_true_zero_with_atol():
    assert fraction_within([0.0, 0.01], [0.0, 0.0]) == 0.5
    assert fraction_within([0.0, 0.01], [0.0, 0.0], atol=0.02) == 1.0


def test_hellinger_distance_limits_and_a_hand_value():
    from stellarnn.evaluation.metrics import hellinger_distance

    assert hellinger_distance([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0, abs=1e-12)
    assert hellinger_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    # p = (1/2, 1/2), q = (1, 0): H = sqrt(1 - sqrt(1/2)) = 0.541196
    assert hellinger_distance([1, 1], [1, 0]) == pytest.approx(0.5411961, abs=1e-6)


def test_fusion_original_rule_is_lopsided_and_drops_class_zero():
    from stellarnn.evaluation.metrics import fusion_original_rule

    # -50 % counts as right, +6 % as wrong, and a true 0 is always wrong
    assert fusion_original_rule([0.5, 1.06, 1.0, 0.0], [1.0, 1.0, 1.0, 0.0]) == 0.5
    assert fusion_original_rule([0, 1, 2, 2], [0, 1, 2, 1], classes=True) == 0.5
