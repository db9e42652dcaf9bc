"""Per-feature drift statistics between a reference sample (training data) and a current sample.

- PSI (population stability index) for every feature: the ONLY statistic that decides, on 10 bins
  cut at the reference's deciles (numbers) or on the categories. Rule of thumb: < 0.1 stable,
  0.1-0.2 moderate, > 0.2 significant shift.
- For context only (they never decide):
  - numbers: two-sample Kolmogorov-Smirnov test (scipy.stats.ks_2samp);
  - categories: chi-square test of the 2 x k count table (scipy.stats.chi2_contingency);
  - both: Jensen-Shannon distance of the binned distributions (scipy.spatial.distance.jensenshannon).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp

BINS = 10
# Floor for empty bins, so PSI stays finite when a bin is empty in one sample.
EPSILON = 1e-4

DECIDING_STATISTIC = "PSI"
# Printed under every report: a p-value of 1e-12 next to "ok" looks like a contradiction until this is said.
WHY_ONLY_PSI_DECIDES = (
    "Only PSI decides. The test p-values and the Jensen-Shannon distance are context: on thousands of rows a"
    " test finds even a small, harmless difference significant (p near 0), while PSI measures how far the"
    " distribution moved, whatever the number of rows."
)


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    kind: str  # "numeric" | "categorical"
    psi: float
    test: str
    statistic: float
    p_value: float
    js_distance: float
    drifted: bool

    def as_dict(self) -> dict:
        return asdict(self)

    def decision(self, psi_threshold: float) -> str:
        """The verdict and the one comparison it rests on, e.g. ``PSI 0.0836 < 0.2 -> ok``."""
        shown = f"{self.psi:.4f}"
        if not self.drifted and float(shown) >= psi_threshold:
            shown = f"{self.psi:.6f}"  # 0.19999 must not print as "0.2000 < 0.2"
        if self.drifted:
            return f"{DECIDING_STATISTIC} {shown} >= {psi_threshold:g} -> DRIFT"
        return f"{DECIDING_STATISTIC} {shown} < {psi_threshold:g} -> ok"

    def context(self) -> str:
        """The statistics that do not decide, e.g. ``chi-square p=3.9e-12, JS distance 0.122``."""
        return f"{self.test} p={self.p_value:.2g}, JS distance {self.js_distance:.3f}"


def _shares(counts: np.ndarray) -> np.ndarray:
    shares = counts / max(counts.sum(), 1)
    return np.clip(shares, EPSILON, None)


def psi_from_counts(reference: np.ndarray, current: np.ndarray) -> float:
    ref, cur = _shares(reference), _shares(current)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def numeric_counts(reference: pd.Series, current: pd.Series, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """Counts in the reference's quantile bins (-inf, q1], (q1, q2], ..., (qk, inf).

    Bins closed on the right keep a reference value in the bin it bounds: a constant reference
    (every training image 32 pixels wide) fills the first bin, and anything larger the last.
    """
    inner = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))

    def counts(values: pd.Series) -> np.ndarray:
        bins_of = np.searchsorted(inner, np.asarray(values, dtype=float), side="left")
        return np.bincount(bins_of, minlength=len(inner) + 1)

    return counts(reference), counts(current)


def categorical_counts(reference: pd.Series, current: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    categories = sorted(set(reference.astype(str)) | set(current.astype(str)))
    ref = reference.astype(str).value_counts().reindex(categories, fill_value=0).to_numpy()
    cur = current.astype(str).value_counts().reindex(categories, fill_value=0).to_numpy()
    return ref, cur


def feature_drift(
    name: str, reference: pd.Series, current: pd.Series, categorical: bool, psi_threshold: float
) -> FeatureDrift:
    if categorical:
        ref_counts, cur_counts = categorical_counts(reference, current)
        keep = (ref_counts + cur_counts) > 0
        statistic, p_value, _, _ = chi2_contingency(np.vstack([ref_counts[keep], cur_counts[keep]]))
        test = "chi-square"
    else:
        ref_counts, cur_counts = numeric_counts(reference, current)
        result = ks_2samp(reference, current)
        statistic, p_value, test = result.statistic, result.pvalue, "Kolmogorov-Smirnov"
    psi = psi_from_counts(ref_counts, cur_counts)
    js = float(jensenshannon(_shares(ref_counts), _shares(cur_counts), base=2))
    return FeatureDrift(
        feature=name,
        kind="categorical" if categorical else "numeric",
        psi=round(psi, 6),
        test=test,
        statistic=round(float(statistic), 6),
        p_value=float(p_value),
        js_distance=round(js, 6),
        drifted=psi >= psi_threshold,
    )


def compare(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: list[str], numeric: list[str], psi_threshold: float
) -> list[FeatureDrift]:
    """One FeatureDrift per feature, the most drifted first."""
    results = [feature_drift(n, reference[n], current[n], True, psi_threshold) for n in categorical]
    results += [feature_drift(n, reference[n], current[n], False, psi_threshold) for n in numeric]
    return sorted(results, key=lambda r: r.psi, reverse=True)
