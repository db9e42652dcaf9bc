"""Train step: fine-tune a transformers text classifier on the train split and log it to MLflow.

Locally a tiny BERT and a WordPiece tokenizer are built from the training texts (no download, about
15 s on two CPU cores). On Azure ML, ``--pretrained-model distilbert-base-uncased`` (or any
Hugging Face sequence-classification model) fine-tunes pretrained weights with their tokenizer.
The same module runs as one process or as N x M processes under Azure ML's PyTorch distribution:
``common.torch_training`` shards the data and averages gradients; only rank 0 logs and writes.

Writes ``model/`` (an MLflow pyfunc model: texts in, labels out) and ``train_info.json`` to ``--output``.

    python -m {{ cookiecutter.package_name }}.nlp.train --prepared outputs/prepared --output outputs/trained
"""

from __future__ import annotations

import argparse
import functools
import tempfile
from contextlib import nullcontext
from importlib.metadata import version
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pandas as pd
import torch
import torch.distributed as torch_dist
from mlflow.models import infer_signature
from torch.utils.data import DataLoader

from ..common import artifacts, tracking
from ..common.metrics import classification_metrics
from ..common.torch_training import (
    Distributed,
    add_training_options,
    fit,
    loader,
    predict_logits,
    seed_everything,
    setup_distributed,
    teardown_distributed,
)
from ..serving import onnx_model
from . import MODEL_NAME, classifier, export_onnx
from .texts import TEXT_COLUMN

PYFUNC_CODE = Path(__file__).with_name("pyfunc_model.py")
# The artifact name pyfunc_model.py loads the tokenizer and weights from (not imported from it:
# importing that file registers its model with MLflow as a side effect).
ARTIFACT = "classifier"
# Chosen for the shipped tickets on a 2-core CPU: val accuracy ~0.95 in ~15 s. With a pretrained
# model use a smaller learning rate (e.g. 5e-5) and 2-3 epochs.
DEFAULTS = {
    "pretrained_model": "",
    "epochs": 6,
    "batch_size": 32,
    "learning_rate": 2e-3,
    "weight_decay": 0.01,
    "max_length": 128,
    "vocab_size": 3000,
    "seed": 42,
    "log_every": 10,
}
# What the model needs to load and predict, pinned to the versions it was trained with.
REQUIREMENTS = ("mlflow", "torch", "transformers", "tokenizers", "pandas", "numpy")


def pip_requirements() -> list[str]:
    # "+cpu" / "+cu121" local versions name a wheel index, not a version pip can find on PyPI.
    return [f"{name}=={version(name).split('+')[0]}" for name in REQUIREMENTS]


def make_tokenizer(texts: list[str], params: dict, dist: Distributed):
    if params["pretrained_model"]:
        tokenizer = classifier.pretrained_tokenizer(params["pretrained_model"])
        tokenizer.model_max_length = min(params["max_length"], tokenizer.model_max_length)
        return tokenizer
    if dist.world_size == 1:
        return classifier.train_wordpiece(texts, params["vocab_size"], params["max_length"])
    # Every process must use the very same vocabulary: rank 0 learns it and sends it to the others.
    shared = [None]
    if dist.is_main:
        learnt = classifier.train_wordpiece(texts, params["vocab_size"], params["max_length"])
        shared[0] = learnt.backend_tokenizer.to_str()
    torch_dist.broadcast_object_list(shared, src=0)
    return classifier.tokenizer_from_json(shared[0], params["max_length"])


def save_model_to_run(model, tokenizer, texts: pd.DataFrame, predicted, model_dir: Path) -> str:
    """Save the pyfunc model (code + tokenizer + weights) to ``model_dir`` and upload it to the run;
    return its runs:/ URI. Not ``log_model``: Azure ML's MLflow endpoint does not serve the
    logged-models routes MLflow 3's ``log_model`` calls (see common/tracking.py)."""
    compared: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / ARTIFACT
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        save = functools.partial(
            mlflow.pyfunc.save_model,
            python_model=str(PYFUNC_CODE),
            artifacts={ARTIFACT: str(folder)},
            signature=infer_signature(texts, predicted),
            input_example=texts.head(3),
            # Listed, not inferred: MLflow would otherwise probe the model's imports in a subprocess.
            pip_requirements=pip_requirements(),
        )
        # The ONNX copy serving prefers, checked against the model on validation texts.
        export = functools.partial(export_onnx.export, model, tokenizer, texts[TEXT_COLUMN].tolist())
        with_onnx = onnx_model.saving_with_onnx(save, lambda folder: compared.update(export(folder)))
        uri = tracking.log_model_folder(with_onnx, model_dir)
    mlflow.log_metrics({f"onnx_{k}": float(v) for k, v in compared.items()})
    return uri


def train(prepared: Path, output: Path, dist: Distributed, **params) -> dict | None:
    """Train; on rank 0 return train_info (other ranks return None)."""
    params = {**DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    model_dir = Path(output) / artifacts.MODEL_DIR
    if model_dir.exists():
        raise FileExistsError(f"{model_dir} exists: train into a fresh output folder")
    seed_everything(params["seed"])
    x_train, y_train = artifacts.read_split(prepared, "train")
    x_val, y_val = artifacts.read_split(prepared, "val")
    labels = artifacts.read_json(Path(prepared) / artifacts.SCHEMA_FILE).get("labels") or sorted(y_train.unique())
    label_ids = {label: i for i, label in enumerate(labels)}
    tokenizer = make_tokenizer(x_train[TEXT_COLUMN].tolist(), params, dist)
    model = classifier.build_model(labels, len(tokenizer), params["max_length"], params["pretrained_model"])
    train_set = classifier.EncodedTexts(
        tokenizer, x_train[TEXT_COLUMN], y_train.map(label_ids).tolist(), params["max_length"]
    )
    val_set = classifier.EncodedTexts(
        tokenizer, x_val[TEXT_COLUMN], y_val.map(label_ids).tolist(), params["max_length"]
    )
    if dist.is_main:
        size = sum(p.numel() for p in model.parameters())
        print(
            f"train: {len(train_set)} texts, {len(labels)} classes, vocabulary {len(tokenizer)}, "
            f"{size / 1e6:.2f} M parameters, {dist.world_size} process(es) on {dist.device}",
            flush=True,
        )
    run = mlflow.start_run(run_name="train", tags={"step": "train", "scenario": "nlp"}) if dist.is_main else None
    with run or nullcontext():
        if run:
            # "none" rather than an empty value, which MLflow's UI shows as a blank.
            logged = {**params, "pretrained_model": params["pretrained_model"] or "none"}
            mlflow.log_params({**logged, "train_rows": len(train_set), "val_rows": len(val_set)})
        history = fit(
            model,
            loader(train_set, params["batch_size"], dist, shuffle=True, seed=params["seed"]),
            loader(val_set, params["batch_size"] * 2, dist, shuffle=False),
            dist=dist,
            epochs=params["epochs"],
            learning_rate=params["learning_rate"],
            weight_decay=params["weight_decay"],
            log_every=params["log_every"],
        )
        if not run:
            return None
        # Rank 0 scores the whole validation split (not its shard) for the logged metrics.
        logits = predict_logits(model, DataLoader(val_set, batch_size=params["batch_size"] * 2), dist.device)
        predicted = [labels[i] for i in logits.argmax(axis=1)]
        metrics = classification_metrics(y_val, predicted)
        # fit() logged val_accuracy per epoch already; the final value would be a stray point at step 0.
        mlflow.log_metrics({f"val_{k}": v for k, v in metrics.items() if f"val_{k}" not in history[-1]})
        mlflow.log_artifact(str(Path(prepared) / artifacts.PREP_REPORT_FILE), artifact_path="data")
        model.to("cpu")
        outputs = pd.Series(predicted, name="label")  # the signature's output column
        model_uri = save_model_to_run(model, tokenizer, x_val[[TEXT_COLUMN]], outputs, model_dir)
    train_info = {
        "run_id": run.info.run_id,
        "model_uri": model_uri,
        "val_metrics": metrics,
        "labels": labels,
        "world_size": dist.world_size,
        "params": params,
        "history": history,
    }
    artifacts.write_json(Path(output) / artifacts.TRAIN_INFO_FILE, train_info)
    return train_info


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train the support-ticket text classifier and log it to MLflow.")
    p.add_argument("--prepared", type=Path, required=True, help="prep output folder")
    p.add_argument("--output", type=Path, required=True, help="folder for model/ and train_info.json")
    p.add_argument("--experiment", default=MODEL_NAME, help="MLflow experiment (ignored inside Azure ML jobs)")
    p.add_argument(
        "--pretrained-model",
        default=DEFAULTS["pretrained_model"],
        help="Hugging Face model name (downloaded) or local folder to fine-tune, e.g. distilbert-base-uncased; "
        "empty: a tiny BERT and tokenizer built locally (default)",
    )
    p.add_argument("--max-length", type=int, default=DEFAULTS["max_length"], help="tokens per text (longer: cut)")
    p.add_argument("--vocab-size", type=int, default=DEFAULTS["vocab_size"], help="local tokenizer only")
    add_training_options(p, DEFAULTS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    dist = setup_distributed()
    params = {k: v for k, v in vars(args).items() if k not in ("prepared", "output", "experiment", "threads")}
    try:
        if dist.is_main:  # one process sets up MLflow: several would race to create the local store
            tracking.configure(experiment=args.experiment)
        info = train(args.prepared, args.output, dist, **params)
    finally:
        teardown_distributed(dist)
    if info:
        shown = ", ".join(f"{k}={v:.3f}" for k, v in info["val_metrics"].items())
        print(f"train: run {info['run_id']}  validation {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
