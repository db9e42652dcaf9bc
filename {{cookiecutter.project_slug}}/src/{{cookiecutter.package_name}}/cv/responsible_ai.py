"""Responsible AI hooks of the image scenario: groups by brightness, occlusion on a few images.

The shipped pictures show shapes, not people, so the grouping the gate compares is the picture's brightness
(dark, medium, light): the condition under which a camera model typically fails some users (dim rooms, darker
skin under poor light). With your own images, return a real attribute from ``segments`` (e.g. the camera or
site, from a metadata column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from . import images
from .prep import FEATURE

BRIGHTNESS_BANDS = [0, 85, 170, 256]
EXAMPLES = 4
GRID = 4  # occlude each of GRID x GRID patches in turn
SENSITIVE = ("brightness_band",)
GROUPING_NOTE = (
    "Groups: the picture's mean brightness (the shipped pictures show shapes, no person); "
    "replace it with yours in src/.../cv/responsible_ai.py."
)


def segments(features: pd.DataFrame) -> pd.DataFrame:
    measured = [images.brightness_and_contrast(images.check_base64(text).image) for text in features[FEATURE]]
    brightness = pd.Series([b for b, _ in measured], index=features.index)
    contrast = pd.Series([c for _, c in measured], index=features.index)
    labels = ["dark", "medium", "light"]
    return pd.DataFrame(
        {
            "brightness_band": pd.cut(brightness, bins=BRIGHTNESS_BANDS, labels=labels, right=False).astype(str),
            "contrast": np.where(contrast < contrast.median(), "low", "high"),
        },
        index=features.index,
    )


def occluded(image: Image.Image) -> list[Image.Image]:
    """One copy per patch of a GRID x GRID grid, that patch painted in the picture's mean colour."""
    array = np.asarray(image.convert("RGB")).copy()
    height, width = array.shape[:2]
    mean = array.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    copies = []
    for row in range(GRID):
        for column in range(GRID):
            patched = array.copy()
            top, left = row * height // GRID, column * width // GRID
            patched[top : (row + 1) * height // GRID, left : (column + 1) * width // GRID] = mean
            copies.append(Image.fromarray(patched))
    return copies


def explain(predict, features: pd.DataFrame, target: pd.Series) -> dict:
    """Occlusion: for a few test pictures, the patches whose covering alone changes the predicted label."""
    chosen = features.head(EXAMPLES)
    original = np.asarray(predict(chosen))
    variants = [
        images.to_png_base64(copy) for text in chosen[FEATURE] for copy in occluded(images.check_base64(text).image)
    ]
    changed = np.asarray(predict(pd.DataFrame({FEATURE: variants}))).reshape(len(chosen), GRID * GRID)
    rows = []
    for number in range(len(chosen)):
        flips = [f"r{p // GRID}c{p % GRID}" for p in range(GRID * GRID) if changed[number, p] != original[number]]
        rows.append(
            {
                "picture": f"test #{number + 1}",
                "true": str(target.iloc[number]),
                "predicted": str(original[number]),
                "decisive_patches": ", ".join(flips) or "(no single patch changes it)",
            }
        )
    return {
        "method": "occlusion",
        "note": (
            f"For the first {len(chosen)} test pictures, each of {GRID}x{GRID} patches (row r, column c) is covered "
            "in turn: the patches that change the prediction are where the model looks."
        ),
        "columns": ["picture", "true", "predicted", "decisive_patches"],
        "rows": rows,
    }
