"""The shipped image dataset: small pictures of shapes, drawn deterministically (no download, same bytes everywhere).

Four classes (circle, square, triangle, cross), RGB PNGs with random colours, size, position and
noise from a fixed seed, written as an image-folder layout ``<root>/<label>/<label>-0001.png``:
the layout your own images use when you replace ``data/shapes``. Also draws a *drifted* sample
(darker, larger pictures) for the drift report and the batch-scoring sample folder.

    python -m {{ cookiecutter.package_name }}.cv.shapes --output data/shapes
    python -m {{ cookiecutter.package_name }}.cv.shapes --output outputs/drifted --drifted --per-class 40
    python -m {{ cookiecutter.package_name }}.cv.shapes --batch-sample data/cv/batch-sample
    python -m {{ cookiecutter.package_name }}.cv.shapes --drift-sample data/cv/drift-sample
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

LABELS = ("circle", "cross", "square", "triangle")
DEFAULT_PER_CLASS = 150
DEFAULT_SEED = 7
IMAGE_SIDE = 32
# The drifted sample: what a new camera or lighting would do to production images.
DRIFTED_SIDE = 48
DRIFTED_LIGHT = 0.5
# What makes the pictures hard (see draw): the colour gap between shape and background, the most
# stray strokes, and the pixel noise's standard deviation.
CONTRAST = (120, 200)
CLUTTER = 1
NOISE = 10
CLEAR_CONTRAST = (160, 220)


def _colour(rng: np.random.Generator, low: int, high: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(low, high, size=3))


def draw(
    label: str, rng: np.random.Generator, side: int = IMAGE_SIDE, light: float = 1.0, hard: bool = True
) -> Image.Image:
    """One picture of ``label``: a small, low-contrast, noisy shape with a stray stroke, maybe cut by the border.

    Hard on purpose: a model that recognised every picture could never be beaten, so the local loop
    could never show a better challenger being promoted. ``hard=False`` draws a clear picture (a
    large, whole, high-contrast shape), as in the batch sample that every trained model should get right.
    """
    # Dark shapes on light backgrounds or the reverse, so colour alone never gives the class away;
    # the gap between them varies, so some shapes barely stand out.
    dark_on_light = rng.random() < 0.5
    gap = int(rng.integers(*(CONTRAST if hard else CLEAR_CONTRAST)))
    base = _colour(rng, 0, 256 - gap)
    background, foreground = tuple(v + gap for v in base), base
    if not dark_on_light:
        background, foreground = foreground, background
    image = Image.new("RGB", (side, side), background)
    pen = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(1, CLUTTER + 1)) if hard else 0):
        # Strokes in the shape's colour: part of a cross or a triangle's edge, as far as a model can tell.
        start, end = rng.integers(0, side, size=2), rng.integers(0, side, size=2)
        pen.line((*(int(v) for v in start), *(int(v) for v in end)), fill=foreground, width=1)
    extent = int(rng.integers(side // 4, side * 3 // 5) if hard else rng.integers(side // 2, side * 4 // 5))
    # Up to a fifth of the shape may lie outside the picture, as in a badly framed photo.
    overhang = extent // 5 if hard else 0
    left, top = (int(v) for v in rng.integers(-overhang, side - extent + overhang, size=2))
    right, bottom = left + extent, top + extent
    if label == "circle":
        pen.ellipse((left, top, right, bottom), fill=foreground)
    elif label == "square":
        pen.rectangle((left, top, right, bottom), fill=foreground)
    elif label == "triangle":
        pen.polygon([(left + extent // 2, top), (right, bottom), (left, bottom)], fill=foreground)
    elif label == "cross":
        bar = max(extent // 4, 2)
        middle_x, middle_y = left + extent // 2, top + extent // 2
        pen.rectangle((middle_x - bar // 2, top, middle_x + bar // 2, bottom), fill=foreground)
        pen.rectangle((left, middle_y - bar // 2, right, middle_y + bar // 2), fill=foreground)
    else:
        raise ValueError(f"unknown shape {label!r}: expected one of {LABELS}")
    pixels = np.asarray(image, dtype=np.float32) * light + rng.normal(0, NOISE, size=(side, side, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def generate(
    root: Path, per_class: int = DEFAULT_PER_CLASS, seed: int = DEFAULT_SEED, drifted: bool = False
) -> list[Path]:
    """Write ``per_class`` pictures of each shape under ``root/<label>/``; return the files written."""
    rng = np.random.default_rng(seed)
    side, light = (DRIFTED_SIDE, DRIFTED_LIGHT) if drifted else (IMAGE_SIDE, 1.0)
    written = []
    for label in LABELS:
        folder = Path(root) / label
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(1, per_class + 1):
            path = folder / f"{label}-{number:04d}.png"
            draw(label, rng, side, light).save(path, format="PNG")
            written.append(path)
    return written


def write_batch_sample(folder: Path, seed: int = DEFAULT_SEED + 1) -> list[Path]:
    """A folder like a batch job's input: one picture per shape (PNG and JPEG), one corrupt file, one too small."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, label in enumerate(LABELS, start=1):
        suffix, kind = ("jpg", "JPEG") if label == "square" else ("png", "PNG")
        path = folder / f"photo-{number:02d}.{suffix}"
        draw(label, rng, hard=False).save(path, format=kind)
        written.append(path)
    corrupt = folder / "photo-05-corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\nthis file was cut off during upload")
    tiny = folder / "photo-06-too-small.png"
    draw("circle", rng, hard=False).resize((8, 8)).save(tiny, format="PNG")
    return [*written, corrupt, tiny]


def write_drift_sample(folder: Path, per_class: int = 2, seed: int = DEFAULT_SEED + 2) -> list[Path]:
    """Unlabelled drifted pictures in one folder, as production images arrive: what ``make drift`` compares."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(1, per_class * len(LABELS) + 1):
        path = folder / f"drifted-{number:02d}.png"
        draw(LABELS[number % len(LABELS)], rng, DRIFTED_SIDE, DRIFTED_LIGHT).save(path, format="PNG")
        written.append(path)
    return written


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Draw the synthetic shapes dataset (deterministic, no download).")
    p.add_argument("--output", type=Path, help="dataset folder to write (<output>/<label>/*.png)")
    p.add_argument("--per-class", type=int, default=DEFAULT_PER_CLASS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--drifted", action="store_true", help=f"darker {DRIFTED_SIDE}x{DRIFTED_SIDE} pictures")
    p.add_argument("--batch-sample", type=Path, help="write a batch-scoring sample folder here")
    p.add_argument("--drift-sample", type=Path, help="write a small drifted sample folder here")
    p.add_argument("--force", action="store_true", help="replace --output if it exists")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not (args.output or args.batch_sample or args.drift_sample):
        parser().error("nothing to do: give --output, --batch-sample or --drift-sample")
    if args.output:
        if args.output.exists() and any(args.output.iterdir()):
            if not args.force:
                print(f"{args.output} is not empty: pass --force to replace it")
                return 1
            shutil.rmtree(args.output)
        files = generate(args.output, args.per_class, args.seed, args.drifted)
        print(f"wrote {len(files)} images ({len(LABELS)} classes) to {args.output}")
    if args.batch_sample:
        files = write_batch_sample(args.batch_sample)
        print(f"wrote {len(files)} batch sample files to {args.batch_sample}")
    if args.drift_sample:
        files = write_drift_sample(args.drift_sample)
        print(f"wrote {len(files)} drifted images to {args.drift_sample}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
