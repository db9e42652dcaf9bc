{%- from "partials/deployment_settings.j2" import deployment_settings with context -%}
"""Local drift report: ``make drift`` compares a production-like sample with the training data.

Both sides are described by the scenario's ``scoring.profile`` (for tabular data the contract's
features; for images or texts their size, brightness or length), plus the predicted class of each
item when the local champion exists (prediction drift). Writes ``report.md`` (a table per
feature), ``drift.json`` and two plots (PSI per feature, and the distributions of the most drifted
features) to ``--output``, and exits 1 when more features drifted than ``max_drifted_features``
allows, so a scheduled job can start retraining. Thresholds are read from ``config/<env>.yml``
(``monitoring.drift``), the same values as the Azure ML monitor's.

    python -m {{ cookiecutter.package_name }}.monitoring.drift --current {{ "data/drift-sample.csv" if cookiecutter.ml_scenario == "tabular" else "<file or folder>" }}
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
import pandas as pd

from ..common.loop import shipped_data
from ..config import PROJECT_ROOT, load_config
from ..{{ cookiecutter.ml_scenario }} import RAW_DATA, scoring
{%- if cookiecutter.ml_scenario == "tabular" %}
from . import attribution
{%- endif %}
from .statistics import DECIDING_STATISTIC, WHY_ONLY_PSI_DECIDES, FeatureDrift, compare

# Used when config/<env>.yml has no monitoring.drift section (rendered from the template's settings).
DEFAULT_THRESHOLDS = {
    "psi_threshold": {{ deployment_settings.drift.psi_threshold }},
    "max_drifted_features": {{ deployment_settings.drift.max_drifted_features }},
{%- if cookiecutter.ml_scenario == "tabular" %}
    # Feature attribution drift (attribution.py): reported, never part of the verdict (see docs/observability.md).
    "attribution_ndcg_threshold": {{ deployment_settings.quality.attribution_ndcg_threshold }},
{%- endif %}
}
DEFAULT_CURRENT = PROJECT_ROOT / scoring.DRIFT_SAMPLE
DEFAULT_OUTPUT = PROJECT_ROOT / "outputs" / "drift"
PLOTTED_FEATURES = 6


def thresholds(environment: str) -> dict:
    """The limits of ``config/<environment>.yml`` (monitoring.drift), and where each was read from."""
    configured = (load_config(environment).get("monitoring") or {}).get("drift") or {}
    limits = {key: configured.get(key, default) for key, default in DEFAULT_THRESHOLDS.items()}
    source = f"config/{environment}.yml" if "psi_threshold" in configured else "the default in monitoring/drift.py"
{%- if cookiecutter.ml_scenario == "tabular" %}
    # Delayed labels of production rows, when they exist, give feature attribution on production a true target.
    labels = ((load_config(environment).get("monitoring") or {}).get("quality") or {}).get("labels")
    limits["labels"] = str(PROJECT_ROOT / labels) if labels else None
{%- endif %}
    return {**limits, "psi_threshold_source": source}


def champion_model():
    """The local champion, loaded for prediction drift; None (with a note) when there is none yet."""
    from ..serving import champion

    if "MLFLOW_TRACKING_URI" not in os.environ and not (PROJECT_ROOT / "mlflow.db").is_file():
        print("prediction drift skipped: no local MLflow registry yet (run `make loop` first)")
        return None
    try:
        return scoring.load(champion.export())
    except SystemExit as reason:
        print(f"prediction drift skipped: {reason}")
        return None


{%- if cookiecutter.ml_scenario != "tabular" %}


def collected_table(path: Path) -> pd.DataFrame | None:
    """Inputs that data collection already described (the columns of ``scoring.collected``), else None."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    readers = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".jsonl": lambda f: pd.read_json(f, lines=True)}
    if not files or any(f.suffix.lower() not in readers for f in files):
        return None
    frame = pd.concat([readers[f.suffix.lower()](f) for f in files], ignore_index=True)
    described = list(scoring.DRIFT_NUMERIC) + list(scoring.DRIFT_CATEGORICAL)
    return frame[described] if set(described) <= set(frame.columns) else None
{%- endif %}


def profiled(path: Path, model, training: bool = False) -> tuple[pd.DataFrame, int]:
    """The items of ``path`` as the scenario describes them (and the champion's predictions, if given).

    ``training``: ``path`` is training data, read and checked as prep does, so that the reference holds
    the rows prep kept (a row without a target is valid production input but was never trained on).
    """
{%- if cookiecutter.ml_scenario != "tabular" %}
    # Production data downloaded from Azure ML is what score.py collected: already described.
    table = None if training else collected_table(path)
    if table is not None:
        return table, 0
{%- endif %}
    frame = scoring.profile(Path(path), model, training=training)
    return frame, int(frame.attrs.get("rejected", 0))


def plot(results: list[FeatureDrift], reference: pd.DataFrame, current: pd.DataFrame, psi: float, out: Path) -> None:
    figure, axis = plt.subplots(figsize=(8, 0.35 * len(results) + 1.5))
    ordered = list(reversed(results))
    colours = ["#d62728" if r.drifted else "#1f77b4" for r in ordered]
    axis.barh([r.feature for r in ordered], [r.psi for r in ordered], color=colours)
    axis.axvline(psi, color="black", linestyle="--", label=f"threshold {psi}")
    axis.set_xlabel("population stability index (PSI)")
    axis.set_title("Drift per feature (red: drifted)")
    axis.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(out / "psi.png", dpi=100)
    plt.close(figure)

    shown = results[:PLOTTED_FEATURES]
    figure, axes = plt.subplots(2, 3, figsize=(12, 6))
    for axis, result in zip(axes.flat, shown, strict=False):
        if result.kind == "categorical":
            shares = pd.DataFrame(
                {
                    "training": reference[result.feature].value_counts(normalize=True),
                    "current": current[result.feature].value_counts(normalize=True),
                }
            ).fillna(0)
            shares.plot.bar(ax=axis, rot=30)
        else:
            axis.hist(reference[result.feature], bins=30, density=True, alpha=0.5, label="training")
            axis.hist(current[result.feature], bins=30, density=True, alpha=0.5, label="current")
            axis.legend()
        axis.set_title(f"{result.feature} (PSI {result.psi:.3f})")
    for axis in list(axes.flat)[len(shown) :]:
        axis.axis("off")
    figure.tight_layout()
    figure.savefig(out / "distributions.png", dpi=100)
    plt.close(figure)


def markdown(summary: dict, results: list[FeatureDrift]) -> str:
    verdict = "DRIFT DETECTED" if summary["drift_detected"] else "no significant drift"
    threshold = summary["psi_threshold"]
    lines = [
        "# Drift report",
        "",
        f"- generated: {summary['generated']}",
        f"- reference (training): `{summary['reference']}`, {summary['reference_rows']} rows"
        f" ({summary['reference_rejected']} failed the data checks and were left out)",
        f"- current: `{summary['current']}`, {summary['current_rows']} rows"
        f" ({summary['current_rejected']} failed the data checks and were left out)",
        f"- rule: a feature drifted when its {DECIDING_STATISTIC} >= {threshold} (`psi_threshold`, from"
        f" {summary['psi_threshold_source']}); the check fails when more than"
        f" {summary['max_drifted_features']} features drifted",
        f"- **verdict: {verdict}** ({summary['drifted_features']} of {len(results)} features drifted)",
        f"- {WHY_ONLY_PSI_DECIDES}",
        *(f"- from {source}: {', '.join(names)}" for source, names in summary.get("sources", {}).items()),
        "",
        f"| feature | kind | decides: {DECIDING_STATISTIC} vs {threshold} | for context (do not decide): test"
        " | statistic | p-value | JS distance |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        decision = f"**{r.decision(threshold)}**" if r.drifted else r.decision(threshold)
        lines.append(
            f"| {r.feature} | {r.kind} | {decision} | {r.test} | {r.statistic:.4f} | {r.p_value:.2g} |"
            f" {r.js_distance:.4f} |"
        )
    lines += ["", "![PSI per feature](psi.png)", "", "![Distributions](distributions.png)", ""]
    return "\n".join(lines)


def report(current_path: Path, reference_path: Path, output: Path, limits: dict, model=None) -> dict:
    limits = {"psi_threshold_source": "the limits passed to report()", **limits}
    reference, reference_rejected = profiled(reference_path, model, training=True)
    current, current_rejected = profiled(current_path, model)
    predicted = ["prediction"] if model is not None else []
    results = compare(
        reference,
        current,
        categorical=list(scoring.DRIFT_CATEGORICAL) + predicted,
        numeric=list(scoring.DRIFT_NUMERIC),
        psi_threshold=limits["psi_threshold"],
    )
    drifted = [r.feature for r in results if r.drifted]
    summary = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "reference": str(reference_path),
        "current": str(current_path),
        "reference_rows": len(reference),
        "reference_rejected": reference_rejected,
        "current_rows": len(current),
        "current_rejected": current_rejected,
        **limits,
        "drifted_features": len(drifted),
        "drifted": drifted,
        "drift_detected": len(drifted) > limits["max_drifted_features"],
        "prediction_drift_checked": model is not None,
        "features": [r.as_dict() for r in results],
    }
    # Which source each feature comes from, when the scenario has several (tabular: applications, payment history).
    sources: dict[str, list[str]] = {}
    for name, source in getattr(scoring, "FEATURE_SOURCES", {}).items():
        sources.setdefault(source, []).append(name)
    if len(sources) > 1:
        summary["sources"] = sources
    text = markdown(summary, results)
{%- if cookiecutter.ml_scenario == "tabular" %}
    if model is not None:
        summary["attribution"] = attribution.compare(
            model,
            reference_path,
            current_path,
            limits.get("labels"),
            limits.get("attribution_ndcg_threshold", DEFAULT_THRESHOLDS["attribution_ndcg_threshold"]),
        )
        text += "\n" + attribution.markdown(summary["attribution"])
{%- endif %}
    output.mkdir(parents=True, exist_ok=True)
    plot(results, reference, current, limits["psi_threshold"], output)
    (output / "report.md").write_text(text, encoding="utf-8")
    (output / "drift.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def console_table(summary: dict) -> str:
    """One line per feature: the verdict with the comparison it rests on, then the context, labelled as such."""
    threshold = summary["psi_threshold"]
    lines = [
        f"drift per feature: {DECIDING_STATISTIC} decides (drift at {DECIDING_STATISTIC} >= {threshold},"
        f" psi_threshold from {summary['psi_threshold_source']})",
        f"  {'feature':<24} {'decides':<28} for context (do not decide)",
    ]
    for feature in summary["features"]:
        result = FeatureDrift(**feature)
        lines.append(f"  {result.feature:<24} {result.decision(threshold):<28} {result.context()}")
    lines.append(textwrap.fill(WHY_ONLY_PSI_DECIDES, width=100, initial_indent="  ", subsequent_indent="  "))
{%- if cookiecutter.ml_scenario == "tabular" %}
    if "attribution" in summary:
        found = summary["attribution"]
        state = "ATTRIBUTION DRIFT" if found["drifted"] else "same features matter"
        lines.append(
            f"feature attribution: NDCG {found['ndcg']:.4f} vs {found['threshold']} -> {state}"
            f" (production target: {found['current_target']}; reported, not part of the verdict)"
        )
{%- endif %}
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare a production-like sample with the training data.")
    parser.add_argument("--current", type=Path, default=DEFAULT_CURRENT, help="file or folder of inputs")
    parser.add_argument("--reference", type=Path, default=PROJECT_ROOT / RAW_DATA, help="training data")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--env", default="dev", help="config/<env>.yml to read thresholds from")
    parser.add_argument(
        "--no-predictions", action="store_true", help="compare the inputs only, not the champion's predictions"
    )
    args = parser.parse_args(argv)
    if args.reference == PROJECT_ROOT / RAW_DATA:
        shipped_data()  # generated shipped data (cv's images) are created on first use
    model = None if args.no_predictions else champion_model()
    summary = report(args.current, args.reference, args.output, thresholds(args.env), model)
    print(console_table(summary))
    print(f"report: {args.output / 'report.md'}")
    if summary["drift_detected"]:
        print(f"drift detected in {summary['drifted_features']} feature(s): {', '.join(summary['drifted'])}")
        return 1
    print("no significant drift")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
