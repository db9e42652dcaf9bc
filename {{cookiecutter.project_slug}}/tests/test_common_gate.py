"""The champion/challenger gate decides both ways, and says why."""

import pytest

from {{ cookiecutter.package_name }}.common.gate import PROMOTE, REJECT, decide


def test_first_model_above_the_floor_is_promoted():
    verdict, reason = decide("f1_macro", {"f1_macro": 0.7}, None, min_score=0.5, min_improvement=0.01)
    assert verdict == PROMOTE
    assert "no champion" in reason


def test_first_model_below_the_floor_is_rejected():
    verdict, reason = decide("f1_macro", {"f1_macro": 0.4}, None, min_score=0.5, min_improvement=0.01)
    assert verdict == REJECT
    assert "below the minimum" in reason


def test_challenger_that_beats_the_champion_enough_is_promoted():
    verdict, _ = decide("f1_macro", {"f1_macro": 0.75}, {"f1_macro": 0.70}, min_score=0.5, min_improvement=0.01)
    assert verdict == PROMOTE


@pytest.mark.parametrize("score", [0.70, 0.705, 0.65])
def test_challenger_that_does_not_beat_the_champion_enough_is_rejected(score):
    verdict, reason = decide("f1_macro", {"f1_macro": score}, {"f1_macro": 0.70}, min_score=0.5, min_improvement=0.01)
    assert verdict == REJECT
    assert "champion 0.7000" in reason


def test_unknown_metric_is_a_clear_error():
    with pytest.raises(KeyError, match="roc_auc"):
        decide("roc_auc", {"f1_macro": 0.7}, None, min_score=0.5, min_improvement=0.0)
