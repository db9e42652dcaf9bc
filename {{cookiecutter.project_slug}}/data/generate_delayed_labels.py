"""Generate ``delayed-labels.csv``: outcomes of the applications in ``drift-sample.csv``, as they arrive later.

A loan's outcome is known months after it was scored. This file stands for the feed that records it:
one row per scored application, joined to the prediction by ``correlation_id`` (here the application id,
as if each application had been one request whose correlation id the caller stored), with the time the
application was scored (``scored_at``, which decides its window) and the time the outcome arrived.

The outcomes follow the training data's risk pattern (generate_credit_data.py) in the first two weeks.
From the third week on, car loans default far more often than the model learnt: a change in the
relationship between inputs and outcome that no input-drift statistic can see, and that only labels
reveal. The newest week is only partly labelled, as outcomes keep arriving.

    python data/generate_delayed_labels.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from generate_credit_data import PURPOSE_RISK

FOLDER = Path(__file__).parent
SEED = 20261130
FIRST_WEEK = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
WEEKS = 4
CHANGED_FROM_WEEK = 2  # weeks 0 and 1 behave as in training
LABELLED_SHARE_LAST_WEEK = 0.6
UNSEEN_SPREAD = 4.0


def default_probability(frame: pd.DataFrame, shift: np.ndarray) -> np.ndarray:
    logit = (
        -2.4
        - 0.011 * (frame["credit_score"] - 690)
        + 2.4 * (frame["debt_to_income"] - 0.3)
        + 0.3 * np.minimum(frame["num_late_payments_2y"], 6)
        + 0.09 * (frame["interest_rate"] - 10)
        - 0.03 * frame["employment_years"]
        + np.where(frame["home_ownership"] == "RENT", 0.25, 0.0)
        + np.where(frame["loan_purpose"] == "small_business", 0.6, 0.0)
        + frame["loan_purpose"].map(PURPOSE_RISK).fillna(0.0)
        - 0.012 * (frame["age"] - 41)
        + shift
    )
    return 1 / (1 + np.exp(-logit))


def generate() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    sample = pd.read_csv(FOLDER / "drift-sample.csv")
    week = np.arange(len(sample)) * WEEKS // len(sample)
    # From CHANGED_FROM_WEEK on, an influence the model never saw (a new lender's policy, a local
    # crisis) decides much of the outcome: the model's signal is diluted, its quality drops.
    unseen = np.where(week >= CHANGED_FROM_WEEK, rng.normal(0, UNSEEN_SPREAD, len(sample)), 0.0)
    probability = default_probability(sample, unseen + rng.normal(0, 0.6, len(sample)))
    scored = [
        FIRST_WEEK + timedelta(days=7 * int(w), minutes=int(m))
        for w, m in zip(week, rng.integers(0, 7 * 24 * 60, len(sample)), strict=True)
    ]
    labels = pd.DataFrame(
        {
            "correlation_id": sample["application_id"],
            "defaulted": (rng.random(len(sample)) < probability).astype(int),
            "scored_at": [t.isoformat(timespec="seconds") for t in scored],
            "labelled_at": [
                (t + timedelta(days=int(d))).isoformat(timespec="seconds")
                for t, d in zip(scored, rng.integers(20, 60, len(sample)), strict=True)
            ],
        }
    )
    keep = (week < WEEKS - 1) | (rng.random(len(sample)) < LABELLED_SHARE_LAST_WEEK)
    return labels[keep].reset_index(drop=True)


def main() -> int:
    labels = generate()
    labels.to_csv(FOLDER / "delayed-labels.csv", index=False)
    print(f"{len(labels)} labels -> {FOLDER / 'delayed-labels.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
