"""Train step: fit a scikit-learn pipeline on the train split and log everything to MLflow.

Logged: hyperparameters, validation metrics, the model folder (with signature and input example, so
Azure ML and ``mlflow models serve`` know its input columns), and plots: confusion matrix,
ROC curve, permutation feature importance. Writes the model and ``train_info.json`` to ``--output``.

    python -m {{ cookiecutter.package_name }}.tabular.train --prepared outputs/prepared --output outputs/trained
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
import warnings
from pathlib import Path

import mlflow
import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from ..common import artifacts, tracking
from ..common.metrics import classification_metrics
from ..serving import onnx_model
from . import MODEL_NAME, export_onnx, plots
from .contract import CONTRACT_PATH, load_contract

# MLflow saves scikit-learn models with skops (no pickle) and only loads types it is told to trust.
# The tree predictor of gradient boosting is one; we trust it because we trained the model ourselves.
SKOPS_TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]
DEFAULTS = {"learning_rate": 0.06, "max_iter": 150, "max_leaf_nodes": 15, "l2_regularization": 1.0, "seed": 42}
# Gradient boosting parallelises with OpenMP. On a few thousand rows one thread is faster: thread
# synchronisation costs more than it saves, and far more on a busy laptop or CI runner (measured
# 4-5x slower with 2 threads under load). Raise it for large data on a bigger Azure ML node.
DEFAULT_THREADS = 1


def build_pipeline(learning_rate: float, max_iter: int, max_leaf_nodes: int, l2_regularization: float, seed: int):
    contract = load_contract()
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), contract.columns_of_type("category")),
            ("numbers", "passthrough", contract.columns_of_type("int", "float")),
        ],
        sparse_threshold=0,  # gradient boosting wants a dense matrix
        verbose_feature_names_out=False,
    )
    model = HistGradientBoostingClassifier(
        learning_rate=learning_rate,
        max_iter=max_iter,
        max_leaf_nodes=max_leaf_nodes,
        l2_regularization=l2_regularization,
        class_weight="balanced",  # defaults are rare: weigh them up rather than resample
        early_stopping=False,  # a fixed number of trees keeps runs reproducible
        random_state=seed,
    )
    return Pipeline([("encode", encode), ("model", model)])


def timed_export(pipeline, folder: Path, check_rows: pd.DataFrame) -> dict:
    started = time.perf_counter()
    compared = export_onnx.export(pipeline, folder, check_rows)
    return {**compared, "export_seconds": time.perf_counter() - started}


def train(prepared: Path, output: Path, threads: int = DEFAULT_THREADS, **params) -> dict:
    params = {**DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    model_dir = Path(output) / artifacts.MODEL_DIR
    if model_dir.exists():
        raise FileExistsError(f"{model_dir} exists: train into a fresh output folder")
    x_train, y_train = artifacts.read_split(prepared, "train")
    x_val, y_val = artifacts.read_split(prepared, "val")
    pipeline = build_pipeline(**params)
    with (
        mlflow.start_run(run_name="train", tags={"step": "train", "scenario": "tabular"}) as run,
        threadpool_limits(limits=threads, user_api="openmp"),
    ):
        mlflow.log_params({**params, "train_rows": len(y_train), "val_rows": len(y_val)})
        pipeline.fit(x_train, y_train)
        predicted = pipeline.predict(x_val)
        score = pipeline.predict_proba(x_val)[:, 1]
        metrics = classification_metrics(y_val, predicted, score)
        mlflow.log_metrics({f"val_{name}": value for name, value in metrics.items()})

        importance = permutation_importance(
            pipeline, x_val, y_val, scoring="roc_auc", n_repeats=3, random_state=params["seed"], n_jobs=1
        )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            plots.confusion_matrix(y_val, predicted, folder / "confusion_matrix.png")
            plots.roc_curve(y_val, score, folder / "roc_curve.png")
            plots.feature_importance(
                pd.Series(importance.importances_mean, index=x_val.columns), folder / "feature_importance.png"
            )
            mlflow.log_artifacts(tmp, artifact_path="plots")
        # What the model was trained on: the contract and prep's report (row counts, rejections, split).
        mlflow.log_artifact(str(CONTRACT_PATH), artifact_path="data")
        mlflow.log_artifact(str(Path(prepared) / artifacts.PREP_REPORT_FILE), artifact_path="data")

        with warnings.catch_warnings():
            # The contract forbids missing values, so integer columns stay integers when scoring:
            # MLflow's hint about integers that cannot hold missing values does not apply.
            warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer", category=UserWarning)
            signature = infer_signature(x_train, pipeline.predict(x_train.head(20)))
            # Saved to the step output, then uploaded to the run: no log_model, whose logged-models
            # routes Azure ML's MLflow endpoint does not serve (see common/tracking.py).
            onnx_export: dict = {}
            model_uri = tracking.log_model_folder(
                onnx_model.saving_with_onnx(
                    functools.partial(
                        mlflow.sklearn.save_model,
                        pipeline,
                        signature=signature,
                        input_example=x_train.head(3),
                        # Pinned requirements skip MLflow's slow probing of the model's imports in a subprocess.
                        pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
                        skops_trusted_types=SKOPS_TRUSTED_TYPES,
                    ),
                    # The ONNX copy serving prefers, checked against the pipeline on the validation split.
                    lambda folder: onnx_export.update(timed_export(pipeline, folder, x_val)),
                ),
                model_dir,
            )
            mlflow.log_metrics({f"onnx_{k}": float(v) for k, v in onnx_export.items()})
    train_info = {"run_id": run.info.run_id, "model_uri": model_uri, "val_metrics": metrics, "params": params}
    train_info["onnx"] = onnx_export
    artifacts.write_json(Path(output) / artifacts.TRAIN_INFO_FILE, train_info)
    return train_info


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train the credit-default classifier and log it to MLflow.")
    p.add_argument("--prepared", type=Path, required=True, help="prep output folder")
    p.add_argument("--output", type=Path, required=True, help="folder for model/ and train_info.json")
    p.add_argument("--experiment", default=MODEL_NAME, help="MLflow experiment (ignored inside Azure ML jobs)")
    p.add_argument("--learning-rate", type=float, default=DEFAULTS["learning_rate"])
    p.add_argument("--max-iter", type=int, default=DEFAULTS["max_iter"], help="number of boosting rounds")
    p.add_argument("--max-leaf-nodes", type=int, default=DEFAULTS["max_leaf_nodes"])
    p.add_argument("--l2-regularization", type=float, default=DEFAULTS["l2_regularization"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="OpenMP threads (default: %(default)s)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    tracking.configure(experiment=args.experiment)
    info = train(
        args.prepared,
        args.output,
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        max_leaf_nodes=args.max_leaf_nodes,
        l2_regularization=args.l2_regularization,
        seed=args.seed,
        threads=args.threads,
    )
    shown = ", ".join(f"{k}={v:.3f}" for k, v in info["val_metrics"].items())
    print(f"train: run {info['run_id']}  validation {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
