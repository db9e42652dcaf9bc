"""Model quality with ground truth: ``make quality`` joins predictions to labels that arrived later.

Predictions carry the request's correlation id (score.py returns it as ``correlation_id`` and the data
collector stores it with every collected row, as ``correlationid``). Labels arrive weeks later from another
system, keyed by that id (``monitoring.quality`` in config/<env>.yml names the file and its columns). This
module joins both, computes the classification metrics per time window (the gate's metric first) and compares
each window with the quality the champion had on the test split when it was registered (its registry tags
``gate_metric`` and ``test_<metric>``). Exits 1 when the newest window with enough labels fell more than
``max_drop`` below that, so that CI retrains, as it does on drift. Writes ``quality.json`` and ``report.md``.

Predictions come from, in this order: ``--predictions`` (a CSV/parquet table, or a folder of the data
collector's JSON Lines); else the shipped drift sample scored by the local champion, with the application id
as correlation id (the local demo of ``data/delayed-labels.csv``).

    python -m {{ cookiecutter.package_name }}.monitoring.quality
"""

from __future__ import annotations

import argparse
import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from ..common.metrics import GATE_METRIC, classification_metrics
from ..config import PROJECT_ROOT, load_config

DEFAULTS = {
    "labels": "data/delayed-labels.csv",
    "id_column": "correlation_id",
    "label_column": "defaulted",
    "time_column": "scored_at",
    "window_days": 7,
    "min_labels": 50,
    "max_drop": 0.05,
}
DEFAULT_OUTPUT = PROJECT_ROOT / "outputs" / "quality"
# A request may score several rows: the collector keeps them in order, so (correlation id, row) is one prediction.
KEY = ["correlation_id", "row"]


def settings(environment: str) -> dict:
    configured = (load_config(environment).get("monitoring") or {}).get("quality") or {}
    return {key: configured.get(key, default) for key, default in DEFAULTS.items()}


def collected_predictions(folder: Path) -> pd.DataFrame:
    """Rows of the data collector's ``model_outputs`` JSON Lines: one event per request, its rows under ``data``.

    The event carries the correlation id (``correlationid``) and the time it was logged (``time``).
    """
    rows = []
    for path in sorted(Path(folder).rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            event = json.loads(line)
            identifier = event.get("correlationid") or event.get("xrequestid")
            for number, row in enumerate(event.get("data") or []):
                if isinstance(row, dict):
                    rows.append({**row, "correlation_id": identifier, "row": number, "time": event.get("time")})
    return pd.DataFrame(rows, columns=None if rows else [*KEY, "prediction", "probability", "time"])


def read_predictions(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.is_dir():
        return collected_predictions(path)
    table = (
        pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path, dtype={"correlation_id": str})
    )
    if "correlationid" in table.columns and "correlation_id" not in table.columns:
        table = table.rename(columns={"correlationid": "correlation_id"})
    if "row" not in table.columns:
        table["row"] = 0
    return table


def sample_predictions(model) -> pd.DataFrame:
    """The shipped drift sample scored by ``model``, each application as one request keyed by its id."""
    from ..tabular import scoring
    from ..tabular.contract import load_contract

    contract = load_contract()
    sample = pd.read_csv(PROJECT_ROOT / scoring.DRIFT_SAMPLE)
    scored = scoring.predict(model, sample[contract.feature_names])
    return pd.DataFrame(
        {"correlation_id": sample[contract.id_column].astype(str), "row": 0, **{c: scored[c] for c in scored}}
    )


def read_labels(path: Path, limits: dict) -> pd.DataFrame:
    labels = pd.read_csv(path, dtype={limits["id_column"]: str})
    missing = {limits["id_column"], limits["label_column"]} - set(labels.columns)
    if missing:
        raise SystemExit(f"{path}: no column {', '.join(sorted(missing))} (monitoring.quality in config/<env>.yml)")
    labels = labels.rename(columns={limits["id_column"]: "correlation_id", limits["label_column"]: "label"})
    if "row" not in labels.columns:
        labels["row"] = 0
    return labels.drop_duplicates(KEY, keep="last")


def join(predictions: pd.DataFrame, labels: pd.DataFrame, time_column: str) -> pd.DataFrame:
    """Labelled predictions, each with the time that decides its window (when it was scored)."""
    joined = predictions.merge(labels, on=KEY, how="inner", suffixes=("", "_label"))
    scored = joined["time"] if "time" in joined.columns else pd.Series(pd.NaT, index=joined.index)
    if time_column in joined.columns:
        scored = scored.fillna(joined[time_column]) if scored.notna().any() else joined[time_column]
    joined["window_time"] = pd.to_datetime(scored, utc=True, errors="coerce")
    return joined


def test_time_quality(baseline: Path | None = None) -> dict:
    """The gate's metric and its test score: from a JSON file of tags (CI), else the local champion's tags."""
    if baseline is not None:
        tags = json.loads(Path(baseline).read_text(encoding="utf-8")) or {}
        source = str(baseline)
    else:
        from mlflow.tracking import MlflowClient

        from ..common import registry, tracking
        from ..tabular import MODEL_NAME

        tracking.configure(experiment=MODEL_NAME)
        champion = registry.find_champion(MODEL_NAME)
        if champion is None:
            raise SystemExit("no champion in the local registry yet: run `make loop` first")
        tags = MlflowClient().get_model_version(MODEL_NAME, champion.version).tags
        source = f"registry tags of {MODEL_NAME} version {champion.version}"
    metric = tags.get("gate_metric", GATE_METRIC)
    value = tags.get(f"test_{metric}")
    if value is None:
        raise SystemExit(f"{source}: no tag test_{metric} (the register step writes it)")
    return {"metric": metric, "test_value": float(value), "source": source}


def window_metrics(group: pd.DataFrame) -> dict:
    """Metrics of one window; labels and predictions compared as text (JSON and CSV type them differently)."""
    truth, predicted = group["label"].astype(str), group["prediction"].astype(str)
    metrics = classification_metrics(truth, predicted)
    if "probability" in group.columns and truth.nunique() == 2:
        # ``probability`` is the positive class's: the larger label, as the model's classes_ are sorted.
        positive = max(truth.unique(), key=lambda value: (len(value), value))
        metrics["roc_auc"] = round(float(roc_auc_score(truth == positive, group["probability"].astype(float))), 6)
    return metrics


def windows(joined: pd.DataFrame, days: int) -> list[dict]:
    timed = joined.dropna(subset=["window_time"])
    if timed.empty:
        return []
    start = timed["window_time"].dt.floor("D").min()
    result = []
    for number, group in timed.groupby((timed["window_time"] - start).dt.days // days):
        begins = start + pd.Timedelta(days=int(number) * days)
        result.append(
            {
                "start": begins.isoformat(),
                "end": (begins + pd.Timedelta(days=days)).isoformat(),
                "labelled": len(group),
                "metrics": window_metrics(group),
            }
        )
    return result


def assess(joined: pd.DataFrame, baseline: dict, limits: dict, predictions: int) -> dict:
    metric, test_value = baseline["metric"], baseline["test_value"]
    floor = round(test_value - limits["max_drop"], 6)
    found = windows(joined, int(limits["window_days"]))
    for window in found:
        value = window["metrics"].get(metric, math.nan)
        window["enough_labels"] = window["labelled"] >= limits["min_labels"]
        window["degraded"] = bool(window["enough_labels"] and value < floor)
    judged = [w for w in found if w["enough_labels"]]
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "metric": metric,
        "test_value": test_value,
        "baseline_source": baseline["source"],
        "max_drop": limits["max_drop"],
        "floor": floor,
        "min_labels": limits["min_labels"],
        "window_days": limits["window_days"],
        "predictions": predictions,
        "labelled": len(joined),
        "windows": found,
        "judged_window": judged[-1]["start"] if judged else None,
        "degraded": bool(judged and judged[-1]["degraded"]),
    }


def markdown(summary: dict) -> str:
    metric = summary["metric"]
    verdict = "QUALITY DROPPED" if summary["degraded"] else "quality holds"
    lines = [
        "# Model quality with ground truth",
        "",
        f"- generated: {summary['generated']}",
        f"- {summary['labelled']} of {summary['predictions']} predictions have a label so far",
        f"- test-time {metric}: {summary['test_value']:.4f} ({summary['baseline_source']})",
        f"- rule: the newest window with at least {summary['min_labels']} labels fails when its {metric} is below"
        f" {summary['floor']:.4f} (test-time minus max_drop {summary['max_drop']})",
        f"- **verdict: {verdict}** (window starting {summary['judged_window']})",
        "",
        f"| window start | labelled | {metric} | vs test | accuracy | roc_auc | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for window in summary["windows"]:
        values = window["metrics"]
        value = values.get(metric, math.nan)
        state = "DROP" if window["degraded"] else ("ok" if window["enough_labels"] else "too few labels")
        lines.append(
            f"| {window['start'][:10]} | {window['labelled']} | {value:.4f} | {value - summary['test_value']:+.4f} |"
            f" {values.get('accuracy', math.nan):.4f} | {values.get('roc_auc', math.nan):.4f} | {state} |"
        )
    return "\n".join([*lines, ""])


def report(predictions: pd.DataFrame, labels_path: Path, output: Path, limits: dict, baseline: dict) -> dict:
    joined = join(predictions, read_labels(labels_path, limits), limits["time_column"])
    summary = assess(joined, baseline, limits, len(predictions))
    output.mkdir(parents=True, exist_ok=True)
    (output / "quality.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (output / "report.md").write_text(markdown(summary), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Join predictions to delayed labels; compare with test quality.")
    parser.add_argument("--predictions", type=Path, help="table or folder of collected model_outputs")
    parser.add_argument("--labels", type=Path, help="labels file (default: monitoring.quality.labels)")
    parser.add_argument("--baseline", type=Path, help="JSON of the model's registry tags (default: local champion)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--env", default="dev", help="config/<env>.yml to read monitoring.quality from")
    args = parser.parse_args(argv)
    limits = settings(args.env)
    if args.predictions is not None:
        predictions = read_predictions(args.predictions)
    else:
        from ..serving import champion
        from ..tabular import scoring

        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        predictions = sample_predictions(scoring.load(champion.export()))
    labels = args.labels or PROJECT_ROOT / limits["labels"]
    summary = report(predictions, labels, args.output, limits, test_time_quality(args.baseline))
    print((args.output / "report.md").read_text(encoding="utf-8"))
    if summary["degraded"]:
        print(f"quality dropped below {summary['floor']:.4f} ({summary['metric']}): retraining is due")
        return 1
    print("quality holds" if summary["judged_window"] else "not enough labels yet to judge quality")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
