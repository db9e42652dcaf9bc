"""Payment-history features: one transformation and one point-in-time join, the same everywhere.

The payment history (data/payment_history.csv, contract payment_history.yml) has one row per
applicant and month. The model sees it through three aggregates (the ``history_*`` features of
contract.yml), computed in two steps that mirror a managed feature store:

1. ``transform``: for every repayment, aggregates over the WINDOW_DAYS days up to and including it,
   per applicant (a feature value with the repayment's timestamp);
2. ``point_in_time_join``: for every observation (an application at its timestamp), the latest feature
   value of its applicant at or before that timestamp, and no older than LOOKBACK_DAYS. Nothing
   computed from a later repayment reaches a row: a future defaulter pays late after applying, and a
   plain join on applicant_id would hand that to the model.

An applicant with no repayment in reach gets DEFAULTS (no history: nothing due, nothing late).
Prep joins the features for training, monitoring joins them for its training reference; requests and
batch files carry them as computed here (see the README's "How a request identifies its applicant").

    python -m {{ cookiecutter.package_name }}.tabular.history --observations data/credit_default.csv \\
        --history data/payment_history.csv --output outputs/applications_with_history.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import artifacts
from .contract import ContractError, load_contract, validate

HISTORY_DATA = "data/payment_history.csv"
HISTORY_CONTRACT = Path(__file__).with_name("payment_history.yml")
ENTITY = "applicant_id"
EVENT_TIMESTAMP = "event_timestamp"
OBSERVATION_TIMESTAMP = "application_timestamp"
# The window of every aggregate, and how old the latest aggregate may be at an observation (a feature
# store's source_lookback and temporal_join_lookback): repayments are monthly, so one month and a half.
WINDOW_DAYS = 90
LOOKBACK_DAYS = 45
# Feature -> its value for an applicant without history in reach.
DEFAULTS = {"history_payments_90d": 0, "history_max_days_late_90d": 0, "history_paid_ratio_90d": 1.0}
FEATURES = list(DEFAULTS)


def _timestamps(values: pd.Series) -> pd.Series:
    """ISO 8601 text as UTC-naive timestamps (NaT when unreadable: the contract reports those rows)."""
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")


def read_history(path: Path) -> tuple[pd.DataFrame, dict]:
    """Contract-valid repayments and the validation report of the rest."""
    result = validate(artifacts.read_text_table(path), load_contract(HISTORY_CONTRACT), require_target=False)
    return result.valid, result.report()


def transform(history: pd.DataFrame) -> pd.DataFrame:
    """One feature row per applicant and repayment timestamp: aggregates over [t - WINDOW_DAYS, t].

    Both window ends are included, as Spark's ``rangeBetween(-window, 0)`` does in the feature set's
    transformer (featuresets/payment_history/transformation_code when the feature store is on).
    Vectorised (a per-applicant rolling window costs ten times more on the shipped data): rows sorted
    by applicant and time, each window is the slice from the first row of the same applicant at or
    after t - WINDOW_DAYS to the row itself; sums come from running totals.
    """
    frame = history[[ENTITY, EVENT_TIMESTAMP, "amount_due", "amount_paid", "days_late"]].copy()
    frame[EVENT_TIMESTAMP] = _timestamps(frame[EVENT_TIMESTAMP])
    frame = frame.sort_values([ENTITY, EVENT_TIMESTAMP], kind="stable").reset_index(drop=True)
    group = frame.groupby(ENTITY, sort=False).ngroup().to_numpy(dtype="int64")
    seconds = frame[EVENT_TIMESTAMP].to_numpy().astype("datetime64[s]").astype("int64")
    # One sortable key per row: applicant first, then time (seconds since 1970 fit in 34 bits).
    key = (group << 34) + (seconds - seconds.min() if len(seconds) else seconds)
    lower = np.maximum(key - WINDOW_DAYS * 86400, group << 34)
    first = np.searchsorted(key, lower, side="left")
    rows = np.arange(len(frame))
    due = _window_sum(frame["amount_due"].to_numpy(dtype="float64"), first)
    paid = _window_sum(frame["amount_paid"].to_numpy(dtype="float64"), first)
    late = frame["days_late"].to_numpy(dtype="int64")
    worst = late.copy()
    for back in range(1, int((rows - first).max(initial=0)) + 1):  # as many steps as the longest window has rows
        inside = rows - back >= first
        worst[inside] = np.maximum(worst[inside], late[rows[inside] - back])
    ratio = np.divide(paid, due, out=np.ones_like(due), where=due > 0)
    features = pd.DataFrame(
        {
            ENTITY: frame[ENTITY].to_numpy(),
            EVENT_TIMESTAMP: frame[EVENT_TIMESTAMP].to_numpy(),
            "history_payments_90d": (rows - first + 1).astype("int64"),
            "history_max_days_late_90d": worst,
            "history_paid_ratio_90d": np.round(ratio, 6),
        }
    )
    # Several repayments at one timestamp: the last row's window holds them all (Spark gives each the same).
    return features.drop_duplicates([ENTITY, EVENT_TIMESTAMP], keep="last").reset_index(drop=True)


def _window_sum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Sum of values[first[i] .. i] for every row i (running totals, one subtraction per row)."""
    totals = np.concatenate([[0.0], np.cumsum(values)])
    return totals[np.arange(1, len(values) + 1)] - totals[first]


def point_in_time_join(
    observations: pd.DataFrame,
    features: pd.DataFrame,
    timestamp_column: str = OBSERVATION_TIMESTAMP,
    lookback_days: int = LOOKBACK_DAYS,
) -> pd.DataFrame:
    """``observations`` (any columns, same row order) with the feature columns as of each row's timestamp.

    Rows whose timestamp is unreadable keep empty feature values: the contract rejects them.
    """
    missing = [c for c in (ENTITY, timestamp_column) if c not in observations.columns]
    if missing:
        raise ContractError(f"input lacks the column(s) {missing} that the payment history is joined on")
    joined = observations.copy()
    at = _timestamps(joined[timestamp_column])
    readable = at.notna() & joined[ENTITY].notna()
    left = pd.DataFrame(
        {ENTITY: joined.loc[readable, ENTITY].astype(str), "_at": at[readable], "_row": joined.index[readable]}
    )
    right = features.rename(columns={EVENT_TIMESTAMP: "_at"}).astype({ENTITY: str})
    matched = pd.merge_asof(
        left.sort_values("_at", kind="stable"),
        right.sort_values("_at", kind="stable"),
        on="_at",
        by=ENTITY,
        direction="backward",  # at or before the observation, never after
        allow_exact_matches=True,
        tolerance=pd.Timedelta(days=lookback_days),
    ).set_index("_row")
    for name, default in DEFAULTS.items():
        values = matched[name].fillna(default).astype(type(default))
        joined[name] = pd.Series(values, index=values.index).reindex(joined.index)
    return joined


def with_history(observations: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Observations joined with the features of contract-valid history rows, as of their timestamps."""
    return point_in_time_join(observations, transform(history))


def join_files(observations: Path, history: Path) -> tuple[pd.DataFrame, dict]:
    """The raw observations (every cell text, as prep reads them) with history features, and the history's report."""
    valid_history, report = read_history(history)
    return with_history(artifacts.read_text_table(observations), valid_history), report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Join payment-history features to observations, point in time.")
    parser.add_argument("--observations", type=Path, required=True, help="CSV (or folder of CSVs) of applications")
    parser.add_argument("--history", type=Path, required=True, help="payment history CSV (or folder)")
    parser.add_argument("--output", type=Path, required=True, help="CSV to write")
    args = parser.parse_args(argv)
    joined, report = join_files(args.observations, args.history)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    joined.to_csv(args.output, index=False)
    print(f"history: {report['rows_valid']} repayments used, {report['rows_rejected']} rejected; wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
