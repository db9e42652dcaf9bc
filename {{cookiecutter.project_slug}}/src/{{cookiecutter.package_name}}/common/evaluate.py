"""Evaluate step: score the challenger and the current champion on the same test split and decide.

Writes ``decision.json`` (metrics of both, the thresholds, the verdict and why) to ``--output``
and logs it to MLflow. Works for any scenario: models are loaded as MLflow pyfunc models and fed
the test split's feature columns.

    python -m {{ cookiecutter.package_name }}.common.evaluate --prepared outputs/prepared --trained outputs/trained \\
        --model-name credit-default --output outputs/decision
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import mlflow
import mlflow.pyfunc

from . import artifacts, gate, registry, {% if cookiecutter.responsible_ai %}responsible_ai, {% endif %}tracking
from .metrics import GATE_METRIC, classification_metrics

DEFAULT_MIN_SCORE = 0.5
DEFAULT_MIN_IMPROVEMENT = 0.005
{%- if cookiecutter.responsible_ai %}
SCENARIO = "{{ cookiecutter.ml_scenario }}"
{%- endif %}


def score(model_uri: str, features, target) -> dict[str, float]:
    model = mlflow.pyfunc.load_model(model_uri)
    return classification_metrics(target, model.predict(features))


def evaluate(
    prepared: Path,
    trained: Path,
    model_name: str,
    output: Path,
    metric: str = GATE_METRIC,
    min_score: float = DEFAULT_MIN_SCORE,
    min_improvement: float = DEFAULT_MIN_IMPROVEMENT,
{%- if cookiecutter.responsible_ai %}
    rai: responsible_ai.Settings | None = None,
    scenario: str = SCENARIO,
{%- endif %}
) -> dict:
    features, target = artifacts.read_split(prepared, "test")
    train_info = artifacts.read_json(Path(trained) / artifacts.TRAIN_INFO_FILE)
    challenger = score(str(Path(trained) / artifacts.MODEL_DIR), features, target)
    champion = registry.find_champion(model_name)
    champion_metrics = score(champion.uri, features, target) if champion else None
    verdict, reason = gate.decide(metric, challenger, champion_metrics, min_score, min_improvement)
{%- if cookiecutter.responsible_ai %}
    rai = rai or responsible_ai.Settings(mode=responsible_ai.DISABLED)
    rai_report = None
    if rai.mode != responsible_ai.DISABLED:
        model = mlflow.pyfunc.load_model(str(Path(trained) / artifacts.MODEL_DIR))
        rai_report = responsible_ai.assess(scenario, model.predict, features, target, rai)
        rai_folder = responsible_ai.write(rai_report, output)
    verdict, reason = responsible_ai.apply(verdict, reason, rai_report, rai.mode, gate.REJECT)
{%- endif %}
    decision = {
        "model_name": model_name,
        "metric": metric,
        "min_score": min_score,
        "min_improvement": min_improvement,
        "test_rows": len(target),
        "challenger": {"run_id": train_info["run_id"], "model_uri": train_info["model_uri"], "metrics": challenger},
        "champion": (
            {"version": champion.version, "run_id": champion.run_id, "metrics": champion_metrics} if champion else None
        ),
        "verdict": verdict,
        "reason": reason,
{%- if cookiecutter.responsible_ai %}
        "responsible_ai": (
            {"mode": rai.mode, "passed": rai_report["passed"], "breaches": rai_report["breaches"]}
            if rai_report
            else {"mode": rai.mode}
        ),
{%- endif %}
        "decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with mlflow.start_run(run_name="evaluate", tags={"step": "evaluate", "challenger_run_id": train_info["run_id"]}):
        mlflow.log_params({"metric": metric, "min_score": min_score, "min_improvement": min_improvement})
        mlflow.log_metrics({f"challenger_test_{k}": v for k, v in challenger.items()})
        if champion_metrics:
            mlflow.log_metrics({f"champion_test_{k}": v for k, v in champion_metrics.items()})
        mlflow.set_tag("verdict", verdict)
        mlflow.log_dict(decision, artifacts.DECISION_FILE)
{%- if cookiecutter.responsible_ai %}
        if rai_report:
            mlflow.log_artifacts(str(rai_folder), responsible_ai.FOLDER)
            mlflow.set_tag("responsible_ai", "passed" if rai_report["passed"] else "failed")
    if rai_report:
        # With the model: the registered version points at the training run, so its artifacts hold the report.
        # Not fatal: the evaluate run and the step's output already hold it (a store may refuse a finished run).
        try:
            mlflow.tracking.MlflowClient().log_artifacts(train_info["run_id"], str(rai_folder), responsible_ai.FOLDER)
        except mlflow.exceptions.MlflowException as error:
            print(f"evaluate: the report stays in the evaluate run; the training run refused it ({error})")
{%- endif %}
    artifacts.write_json(Path(output) / artifacts.DECISION_FILE, decision)
    return decision


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Score challenger and champion on the test split; write the decision.")
    p.add_argument("--prepared", type=Path, required=True, help="prep output folder (test.csv, schema.json)")
    p.add_argument("--trained", type=Path, required=True, help="train output folder (model/, train_info.json)")
    p.add_argument("--model-name", required=True, help="registered model name whose champion is compared")
    p.add_argument("--output", type=Path, required=True, help="folder for decision.json")
    p.add_argument("--metric", default=GATE_METRIC, help="metric the gate compares (default: %(default)s)")
    p.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, help="floor for any model to be promoted")
    p.add_argument(
        "--min-improvement",
        type=float,
        default=DEFAULT_MIN_IMPROVEMENT,
        help="how much the challenger must beat the champion by (default: %(default)s)",
    )
{%- if cookiecutter.responsible_ai %}
    rai = responsible_ai.Settings()
    p.add_argument(
        "--rai-mode",
        choices=responsible_ai.MODES,
        default=responsible_ai.DISABLED,
        help="Responsible AI gate: disabled, dry_run (report only) or enabled (config/<env>.yml responsible_ai.mode)",
    )
    p.add_argument("--rai-metric", default=rai.metric, help="metric compared between groups")
    p.add_argument("--rai-max-gap", type=float, default=rai.max_gap, help="largest allowed gap between groups")
    p.add_argument("--rai-min-group-score", type=float, default=rai.min_group_score, help="floor for every group")
    p.add_argument("--rai-min-group-size", type=int, default=rai.min_group_size, help="smaller groups are not gated")
{%- endif %}
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    tracking.configure(experiment=args.model_name)
{%- if cookiecutter.responsible_ai %}
    rai = responsible_ai.Settings(
        mode=args.rai_mode,
        metric=args.rai_metric,
        max_gap=args.rai_max_gap,
        min_group_score=args.rai_min_group_score,
        min_group_size=args.rai_min_group_size,
    )
    decision = evaluate(
        *(args.prepared, args.trained, args.model_name, args.output),
        *(args.metric, args.min_score, args.min_improvement, rai),
    )
    if rai.mode != responsible_ai.DISABLED:
        print(f"evaluate: responsible AI report in {args.output / responsible_ai.FOLDER / responsible_ai.REPORT_MD}")
{%- else %}
    decision = evaluate(
        args.prepared, args.trained, args.model_name, args.output, args.metric, args.min_score, args.min_improvement
    )
{%- endif %}
    print(f"evaluate: verdict={decision['verdict']} ({decision['reason']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
