"""The drift statistics every scenario's report uses: PSI on quantile bins, KS, chi-square."""

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.monitoring import statistics


def test_identical_distributions_have_no_drift():
    values = pd.Series(np.random.default_rng(0).normal(size=2000))
    result = statistics.feature_drift("x", values, values, categorical=False, psi_threshold=0.2)
    assert result.psi < 1e-9
    assert not result.drifted


def test_shifted_numbers_and_categories_drift():
    rng = np.random.default_rng(0)
    shifted = statistics.feature_drift(
        "x", pd.Series(rng.normal(size=2000)), pd.Series(rng.normal(1, size=2000)), False, 0.2
    )
    assert shifted.drifted and shifted.p_value < 1e-6
    categories = statistics.feature_drift(
        "c", pd.Series(["a"] * 900 + ["b"] * 100), pd.Series(["a"] * 300 + ["b"] * 700), True, 0.2
    )
    assert categories.drifted and categories.test == "chi-square"


def test_a_constant_reference_still_sees_larger_values():
    """Every training image is 32 pixels wide: 48-pixel images in production must show as drift."""
    reference, current = pd.Series([32] * 500), pd.Series([32] * 100 + [48] * 400)
    result = statistics.feature_drift("width", reference, current, categorical=False, psi_threshold=0.2)
    assert result.drifted and result.psi > 1
    same = statistics.feature_drift("width", reference, pd.Series([32] * 300), categorical=False, psi_threshold=0.2)
    assert same.psi < 1e-9 and not same.drifted
