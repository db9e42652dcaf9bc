"""Payment-history features: the window, the point-in-time join, and no value from after an application."""

from datetime import date, timedelta

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.tabular import history
from {{ cookiecutter.package_name }}.tabular.contract import ContractError
from {{ cookiecutter.package_name }}.tabular.prep import read_raw

from test_tabular_contract import SHIPPED, SHIPPED_HISTORY

START = date(2024, 1, 1)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def repayments(*events: tuple[int, int, int, int]) -> pd.DataFrame:
    """(day, amount due, amount paid, days late) of applicant CUS-1."""
    return pd.DataFrame(
        [{"applicant_id": "CUS-1", "event_timestamp": day(d), "amount_due": due, "amount_paid": paid,
          "days_late": late} for d, due, paid, late in events]
    )  # fmt: skip


def applications(*days: int) -> pd.DataFrame:
    return pd.DataFrame({"applicant_id": "CUS-1", "application_timestamp": [day(d) for d in days]})


EVENTS = repayments((0, 100, 100, 0), (30, 100, 50, 20), (60, 100, 100, 0), (100, 200, 200, 0))


def test_each_repayment_aggregates_the_window_up_to_it_both_ends_included():
    features = history.transform(EVENTS)
    assert features["history_payments_90d"].tolist() == [1, 2, 3, 3]  # day 100: days 30, 60, 100 (day 10 on)
    assert features["history_max_days_late_90d"].tolist() == [0, 20, 20, 20]
    assert features["history_paid_ratio_90d"].tolist() == pytest.approx([1.0, 0.75, 250 / 300, 350 / 400])
    # Day 90 reaches back to day 0 exactly: the window includes both ends, as Spark's rangeBetween does.
    assert history.transform(repayments((0, 1, 1, 0), (90, 1, 1, 0)))["history_payments_90d"].tolist() == [1, 2]


def test_an_application_sees_only_repayments_at_or_before_it():
    out = history.with_history(applications(45, 60, 99, 101), EVENTS)
    # Day 45: the day-30 value, not the day-60 one; day 60: its own day's value (at or before).
    assert out["history_payments_90d"].tolist() == [2, 3, 3, 3]
    assert out["history_paid_ratio_90d"].tolist() == pytest.approx([0.75, 250 / 300, 250 / 300, 350 / 400])


def test_too_old_or_no_history_gives_the_defaults_and_order_is_kept():
    observations = pd.concat(
        [applications(60 + history.LOOKBACK_DAYS + 1, 10), pd.DataFrame([{"applicant_id": "CUS-9",
         "application_timestamp": day(50)}])], ignore_index=True
    )  # fmt: skip
    out = history.with_history(observations, EVENTS.iloc[:3])
    assert out["application_timestamp"].tolist() == observations["application_timestamp"].tolist()
    defaults = list(history.DEFAULTS.values())
    assert out.loc[0, history.FEATURES].tolist() == defaults  # latest repayment older than the lookback
    assert out.loc[1, "history_payments_90d"] == 1
    assert out.loc[2, history.FEATURES].tolist() == defaults  # an applicant without history


def test_an_unreadable_timestamp_leaves_the_features_empty_for_the_contract_to_reject():
    out = history.with_history(applications(45).assign(application_timestamp="yesterday"), EVENTS)
    assert out[history.FEATURES].isna().all(axis=None)
    with pytest.raises(ContractError, match="application_timestamp"):
        history.with_history(applications(45).drop(columns="application_timestamp"), EVENTS)


def test_shipped_data_no_feature_comes_from_after_its_application():
    """Recomputed from scratch from the repayments up to each application only: the join agrees on every row.

    The shipped history holds a month after each application, in which future defaulters pay late:
    a join that looked past the timestamp would disagree here.
    """
    past, _ = history.read_history(SHIPPED_HISTORY)
    rows = history.with_history(read_raw(SHIPPED).head(400), past).set_index("application_id")
    pairs = rows[["applicant_id", "application_timestamp"]].reset_index().merge(past, on="applicant_id")
    at, ts = pd.to_datetime(pairs["application_timestamp"]), pd.to_datetime(pairs["event_timestamp"])
    assert (ts > at).groupby(pairs["application_id"]).any().sum() > 30  # repayments after applications exist
    seen = pairs[ts <= at].assign(ts=ts, at=at)
    last = seen.groupby("application_id")["ts"].transform("max")
    recent = last >= seen["at"] - pd.Timedelta(days=history.LOOKBACK_DAYS)
    window = seen[recent & (seen["ts"] >= last - pd.Timedelta(days=history.WINDOW_DAYS))]
    grouped = window.groupby("application_id")
    expected = pd.DataFrame(
        {
            "history_payments_90d": grouped.size(),
            "history_max_days_late_90d": grouped["days_late"].max(),
            "history_paid_ratio_90d": grouped["amount_paid"].sum() / grouped["amount_due"].sum(),
        }
    )
    expected = expected.reindex(rows.index).fillna(pd.Series(history.DEFAULTS))
    assert rows[history.FEATURES].astype(float).to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)
