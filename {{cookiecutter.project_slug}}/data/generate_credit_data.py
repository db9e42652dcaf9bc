"""Generate ``credit_default.csv`` and ``payment_history.csv``: synthetic, realistic consumer-loan
applications and the monthly repayments of the applicants who already had a loan (deterministic).

Why synthetic: real credit data carries personal information and restrictive licences, and the
project must run offline. The relationships below follow well-known credit-risk patterns (low
bureau score, high debt-to-income and past late payments raise default risk), so a model has a
real signal to learn and feature importance reads sensibly.

A handful of deliberately broken rows (missing income, an unknown housing category, impossible
scores...) are appended so that prep's validation report has something to show; see data/README.md.

The payment history is a second source with its own contract (tabular/payment_history.yml): one row
per applicant and month, for about 45% of the applicants (existing customers), from three months
before the application to one month after it. The month after is what a careless join leaks: a
borrower who will default pays late then, and only a point-in-time join leaves it out.

    python data/generate_credit_data.py            # rewrites data/credit_default.csv and payment_history.csv
    python data/generate_credit_data.py --rows 500 --output /tmp/sample.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
DEFAULT_ROWS = 5000
DEFAULT_OUTPUT = Path(__file__).with_name("credit_default.csv")
HISTORY_FILE = "payment_history.csv"
FIRST_APPLICATION = np.datetime64("2024-01-01")
APPLICATION_DAYS = 540  # applications arrive over 18 months
EXISTING_CUSTOMERS = 0.45  # share of applicants with a repayment history
MONTHS_BEFORE, MONTHS_AFTER = 3, 1
PURPOSES = ["debt_consolidation", "home_improvement", "car", "education", "medical", "small_business"]
PURPOSE_RISK = {"debt_consolidation": 0.1, "home_improvement": -0.2, "car": -0.1, "education": 0.2}
TERMS = [12, 24, 36, 48, 60]


def applications(rows: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(41, 12, rows), 19, 80).round().astype(int)
    employment_years = np.minimum(age - 18, rng.gamma(2.0, 3.5, rows)).round().astype(int)
    income = np.exp(rng.normal(np.log(42_000) + 0.012 * employment_years, 0.45, rows))
    income = np.clip(income, 9_000, 450_000).round(-2)
    own_chance = np.clip((age - 22) / 60, 0.05, 0.75)
    draw = rng.random(rows)
    home = np.where(draw < own_chance * 0.4, "OWN", np.where(draw < own_chance * 1.2, "MORTGAGE", "RENT"))
    purpose = rng.choice(PURPOSES, rows, p=[0.38, 0.16, 0.18, 0.08, 0.08, 0.12])
    loan = np.clip(np.exp(rng.normal(np.log(9_000), 0.6, rows)) * (income / 42_000) ** 0.3, 1_000, 80_000).round(-1)
    term = rng.choice(TERMS, rows, p=[0.08, 0.2, 0.4, 0.12, 0.2])
    score = np.clip(rng.normal(690, 65, rows), 320, 850).round().astype(int)
    late = rng.poisson(np.exp((640 - score) / 55) * 0.8)
    rate = np.clip(3.5 + (850 - score) / 22 + (term - 36) / 24 + rng.normal(0, 1.2, rows), 2.5, 29.9).round(2)
    monthly_loan = loan * (rate / 1200) / (1 - (1 + rate / 1200) ** -term)
    other_debt = rng.beta(2, 6, rows) * 0.6
    dti = np.clip(other_debt + monthly_loan / (income / 12), 0, 2.5).round(3)
    accounts = rng.poisson(6, rows)

    logit = (
        -2.4
        - 0.011 * (score - 690)
        + 2.4 * (dti - 0.3)
        + 0.3 * np.minimum(late, 6)
        + 0.09 * (rate - 10)
        - 0.03 * employment_years
        + np.where(home == "RENT", 0.25, 0.0)
        + np.where(purpose == "small_business", 0.6, 0.0)
        + np.vectorize(lambda p: PURPOSE_RISK.get(p, 0.0))(purpose)
        - 0.012 * (age - 41)
        + rng.normal(0, 0.6, rows)
    )
    defaulted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    # A separate generator: the columns above stay exactly what they were before the entity existed.
    when = np.random.default_rng(seed + 7)
    days = when.integers(0, APPLICATION_DAYS, rows)
    return pd.DataFrame(
        {
            "application_id": [f"APP-{i:06d}" for i in range(1, rows + 1)],
            "applicant_id": [f"CUS-{i:06d}" for i in range(1, rows + 1)],
            "application_timestamp": np.datetime_as_string(FIRST_APPLICATION + days, unit="D"),
            "age": age,
            "annual_income": income,
            "employment_years": employment_years,
            "home_ownership": home,
            "loan_purpose": purpose,
            "loan_amount": loan,
            "loan_term_months": term,
            "interest_rate": rate,
            "credit_score": score,
            "debt_to_income": dti,
            "num_open_accounts": accounts,
            "num_late_payments_2y": late,
            "defaulted": defaulted,
        }
    )


def broken_rows(start_id: int) -> pd.DataFrame:
    """Rows with the kinds of errors real extracts contain; prep must reject and count each one."""
    base = applications(12, seed=SEED + 1).astype(object)
    base["application_id"] = [f"APP-{start_id + i:06d}" for i in range(len(base))]
    base["applicant_id"] = [f"CUS-{start_id + i:06d}" for i in range(len(base))]
    base.loc[0, "annual_income"] = ""  # missing value
    base.loc[1, "annual_income"] = ""
    base.loc[2, "home_ownership"] = "OTHER"  # category outside the contract
    base.loc[3, "home_ownership"] = "rent"
    base.loc[4, "credit_score"] = 999  # impossible score
    base.loc[5, "age"] = 16  # under age
    base.loc[6, "loan_amount"] = -2500  # sign error
    base.loc[7, "loan_term_months"] = 18  # term not offered
    base.loc[8, "debt_to_income"] = "n/a"  # text in a numeric column
    base.loc[9, "defaulted"] = ""  # unknown outcome
    base.loc[10, "interest_rate"] = 145.0  # percent typed twice
    base.loc[11, "num_late_payments_2y"] = 1.5  # fractional count
    return base


def payment_history(frame: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Monthly repayments of existing customers around their application date.

    Before the application, late payments follow the applicant's recorded late-payment count; the
    month after follows the outcome (a future defaulter pays late), which no feature may see.
    """
    rng = np.random.default_rng(seed + 11)
    known = frame[rng.random(len(frame)) < EXISTING_CUSTOMERS]
    late_before = np.clip(pd.to_numeric(known["num_late_payments_2y"], errors="coerce").fillna(0) / 8 + 0.03, 0, 0.9)
    late_after = np.where(pd.to_numeric(known["defaulted"], errors="coerce").fillna(0) == 1, 0.7, 0.05)
    due = (rng.gamma(4.0, 80.0, len(known)) + 50).round(-1).astype(int)
    applied = pd.to_datetime(known["application_timestamp"]).to_numpy()
    rows = []
    for month in range(-MONTHS_BEFORE, MONTHS_AFTER + 1):
        if month == 0:
            continue
        chance = late_after if month > 0 else late_before.to_numpy()
        late = rng.random(len(known)) < chance
        days_late = np.where(late, rng.integers(5, 75, len(known)), 0)
        paid = np.where(late, (due * rng.uniform(0.2, 0.9, len(known))).round(-1).astype(int), due)
        rows.append(
            pd.DataFrame(
                {
                    "applicant_id": known["applicant_id"].to_numpy(),
                    "event_timestamp": np.datetime_as_string(
                        applied.astype("datetime64[D]") + np.timedelta64(30 * month, "D"), unit="D"
                    ),
                    "amount_due": due,
                    "amount_paid": paid,
                    "days_late": days_late,
                }
            )
        )
    history = pd.concat(rows, ignore_index=True)
    return history.sort_values(["applicant_id", "event_timestamp"], kind="stable").reset_index(drop=True)


def generate(rows: int = DEFAULT_ROWS, with_errors: bool = True) -> pd.DataFrame:
    frame = applications(rows)
    if with_errors:
        frame = pd.concat([frame.astype(object), broken_rows(rows + 1)], ignore_index=True)
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="number of valid applications")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-errors", action="store_true", help="leave out the deliberately broken rows")
    args = parser.parse_args(argv)
    frame = generate(args.rows, with_errors=not args.no_errors)
    frame.to_csv(args.output, index=False)
    print(f"wrote {len(frame)} rows ({frame['defaulted'].eq(1).sum()} defaults) to {args.output}")
    history = payment_history(applications(args.rows))
    history.to_csv(args.output.with_name(HISTORY_FILE), index=False)
    print(f"wrote {len(history)} monthly repayments to {args.output.with_name(HISTORY_FILE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
