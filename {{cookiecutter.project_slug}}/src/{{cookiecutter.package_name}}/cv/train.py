"""Train step: fine-tune (or train from scratch) a ResNet on the prepared images and log it to MLflow.

Runs as one process on a laptop CPU, or as N processes per node on M Azure ML nodes under the
job's PyTorch distribution (``common.torch_training`` reads RANK/WORLD_SIZE; each process trains
on its shard). Only the main process logs to MLflow and writes ``--output``: the model folder (an
MLflow pyfunc model that takes base64 images and returns labels) and ``train_info.json``.

    python -m {{ cookiecutter.package_name }}.cv.train --prepared outputs/prepared --output outputs/trained
    python -m {{ cookiecutter.package_name }}.cv.train ... --pretrained-model microsoft/resnet-18   # on Azure ML
"""

from __future__ import annotations

import argparse
import functools
import tempfile
from importlib.metadata import version
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pandas as pd
import torch
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema
from torch.utils.data import Dataset

from ..common import artifacts, torch_training, tracking
from ..common.metrics import classification_metrics
from ..serving import onnx_model
from . import MODEL_NAME, classifier, export_onnx, images, network

DEFAULTS = {"epochs": 8, "batch_size": 32, "learning_rate": 0.003, "weight_decay": 0.0001, "width": 16, "seed": 42}
# The model's runtime dependencies, pinned to what trained it: MLflow would otherwise probe the
# model's imports in a subprocess, which takes longer than training the local model.
REQUIREMENTS = ("mlflow", "torch", "transformers", "pillow", "numpy", "pandas")


class EncodedImages(Dataset):
    """Base64 images decoded on access: a large dataset never sits in memory as pixels."""

    def __init__(self, encoded: list[str], label_ids: list[int], image_size: int) -> None:
        self.encoded, self.label_ids, self.image_size = encoded, label_ids, image_size

    def __len__(self) -> int:
        return len(self.encoded)

    def __getitem__(self, index: int):
        image = images.check_base64(self.encoded[index]).image
        pixels = torch.from_numpy(images.pixel_values(image, self.image_size))
        return {"pixel_values": pixels}, self.label_ids[index]


def dataset(prepared: Path, split: str, labels: list[str], image_size: int) -> tuple[EncodedImages, list[str]]:
    features, target = artifacts.read_split(prepared, split)
    unknown = sorted(set(target) - set(labels))
    if unknown:
        raise ValueError(f"{split} split has labels the train split lacks: {unknown}")
    label_ids = [labels.index(label) for label in target]
    return EncodedImages(features["image"].tolist(), label_ids, image_size), target.tolist()


def pinned_requirements() -> list[str]:
    # "+cpu" and other local version labels are not on the package index: pin the public release.
    return [f"{name}=={version(name).split('+')[0]}" for name in REQUIREMENTS]


def save_model_to_run(model, image_size: int, example: list[str], model_dir: Path) -> str:
    """Save the pyfunc model to ``model_dir`` (the step output) and upload it to the run; return its runs:/ URI.

    Saved and uploaded rather than ``log_model``: Azure ML's MLflow endpoint does not serve the
    logged-models routes MLflow 3's ``log_model`` calls (see common/tracking.py).
    """
    compared: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = classifier.save_network(model, image_size, Path(tmp) / classifier.NETWORK_ARTIFACT)
        save = functools.partial(
            mlflow.pyfunc.save_model,
            python_model=str(classifier.MODEL_CODE),
            artifacts={classifier.NETWORK_ARTIFACT: str(folder)},
            signature=ModelSignature(inputs=Schema([ColSpec("string", "image")]), outputs=Schema([ColSpec("string")])),
            # A frame, as the model takes it: a dict of lists comes back from load_input_example as one row
            # holding a list, which predict cannot read (found by loading the model on its own example).
            input_example=pd.DataFrame({"image": example[:2]}),
            pip_requirements=pinned_requirements(),
        )
        # The ONNX copy serving prefers, checked against the network on validation images.
        export = functools.partial(export_onnx.export, model, image_size, example)
        with_onnx = onnx_model.saving_with_onnx(save, lambda folder: compared.update(export(folder)))
        uri = tracking.log_model_folder(with_onnx, model_dir)
    mlflow.log_metrics({f"onnx_{k}": float(v) for k, v in compared.items()})
    return uri


def train(
    prepared: Path,
    output: Path,
    dist: torch_training.Distributed,
    pretrained_model: str = "",
    image_size: int = 0,
    log_every: int = 10,
    **params,
) -> dict:
    params = {**DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    model_dir = Path(output) / artifacts.MODEL_DIR
    if model_dir.exists():  # every process checks: one failing alone would leave the others waiting for it
        raise FileExistsError(f"{model_dir} exists: train into a fresh output folder")
    schema = artifacts.read_json(Path(prepared) / artifacts.SCHEMA_FILE)
    image_size = image_size or schema["image_size"]
    _, train_target = artifacts.read_split(prepared, "train")
    labels = sorted(set(train_target))
    train_set, _ = dataset(prepared, "train", labels, image_size)
    val_set, val_target = dataset(prepared, "val", labels, image_size)

    torch_training.seed_everything(params["seed"])
    model = network.build_model(labels, pretrained_model, params["width"])
    batch_size = params["batch_size"]
    fit = functools.partial(
        torch_training.fit,
        model,
        torch_training.loader(train_set, batch_size, dist, shuffle=True, seed=params["seed"]),
        torch_training.loader(val_set, batch_size, dist, shuffle=False, seed=params["seed"]),
        dist=dist,
        epochs=params["epochs"],
        learning_rate=params["learning_rate"],
        weight_decay=params["weight_decay"],
        log_every=log_every,
    )
    if not dist.is_main:
        fit()  # the other processes train on their shards; the main process logs and writes the model
        return {}
    with mlflow.start_run(run_name="train", tags={"step": "train", "scenario": "cv"}) as run:
        logged = {**params, "pretrained_model": pretrained_model or "none", "image_size": image_size}
        mlflow.log_params(
            {**logged, "train_images": len(train_set), "val_images": len(val_set), "world_size": dist.world_size}
        )
        history = fit()
        # Validation metrics of the final model, on the whole val split (not one process's shard).
        whole_val = torch_training.loader(val_set, batch_size, single_process(dist), shuffle=False)
        predicted = [labels[i] for i in torch_training.predict_logits(model, whole_val, dist.device).argmax(axis=1)]
        metrics = classification_metrics(val_target, predicted)
        # val_accuracy is already logged once per epoch by fit: a second value would break its curve.
        final = {f"val_{name}": value for name, value in metrics.items() if f"val_{name}" not in history[-1]}
        mlflow.log_metrics(final, step=params["epochs"])
        mlflow.log_artifact(str(Path(prepared) / artifacts.PREP_REPORT_FILE), artifact_path="data")
        model_uri = save_model_to_run(model.cpu(), image_size, val_set.encoded[: export_onnx.CHUNK], model_dir)
    train_info = {
        "run_id": run.info.run_id,
        "model_uri": model_uri,
        "val_metrics": metrics,
        "params": {**params, "pretrained_model": pretrained_model, "image_size": image_size},
        "labels": labels,
        "history": history,
        "world_size": dist.world_size,
    }
    artifacts.write_json(Path(output) / artifacts.TRAIN_INFO_FILE, train_info)
    return train_info


def single_process(dist: torch_training.Distributed) -> torch_training.Distributed:
    """This process seen as a job of one, for a loader over the whole dataset."""
    return torch_training.Distributed(rank=0, local_rank=dist.local_rank, world_size=1, device=dist.device)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train the image classifier and log it to MLflow.")
    p.add_argument("--prepared", type=Path, required=True, help="prep output folder")
    p.add_argument("--output", type=Path, required=True, help="folder for model/ and train_info.json")
    p.add_argument("--experiment", default=MODEL_NAME, help="MLflow experiment (ignored inside Azure ML jobs)")
    p.add_argument(
        "--pretrained-model",
        default="",
        help="Hugging Face ResNet to fine-tune, e.g. microsoft/resnet-18 (downloads weights); empty: a small"
        " ResNet from scratch",
    )
    p.add_argument("--image-size", type=int, default=0, help="model input side (default: prep's --image-size)")
    p.add_argument("--width", type=int, default=DEFAULTS["width"], help="channels of the small ResNet's first stage")
    torch_training.add_training_options(p, DEFAULTS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    dist = torch_training.setup_distributed()
    try:
        if dist.is_main:
            tracking.configure(experiment=args.experiment)
        info = train(
            args.prepared,
            args.output,
            dist,
            pretrained_model=args.pretrained_model,
            image_size=args.image_size,
            log_every=args.log_every,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            weight_decay=args.weight_decay,
            width=args.width,
            seed=args.seed,
        )
    finally:
        torch_training.teardown_distributed(dist)
    if dist.is_main:
        shown = ", ".join(f"{k}={v:.3f}" for k, v in info["val_metrics"].items())
        print(f"train: run {info['run_id']}  validation {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
