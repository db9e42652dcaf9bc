"""Computer-vision scenario: image classification with a ResNet (Hugging Face transformers on PyTorch)."""

from __future__ import annotations

from pathlib import Path

from ..common import quiet  # noqa: F401  (MLflow's quiet defaults, before train imports MLflow)

# Name of the model in the MLflow / Azure ML registry; the pipeline YAML passes the same value.
MODEL_NAME = "shape-classifier"

# The raw images, relative to the project folder: one sub-folder per class (see data/cv/README.md).
# Drawn by cv/shapes.py when missing; replace the folder with your own images in the same layout.
RAW_DATA = "data/shapes"


def ensure_raw_data(path: Path) -> Path:
    """Draw the shipped shapes dataset into ``path`` unless it already holds images."""
    from . import shapes

    path = Path(path)
    if path.is_dir() and any(path.iterdir()):
        return path
    files = shapes.generate(path)
    print(f"{path} was missing: drew {len(files)} synthetic images ({len(shapes.LABELS)} classes, fixed seed)")
    return path
