"""Prep step: check every image of an image-folder dataset, resize it and split the set train/val/test.

Input layout: ``<input>/<label>/<any name>.png|.jpg``. Photos of any size are accepted and resized
to ``--image-size``; unreadable, corrupt, too small or non-image files go to ``rejected.csv`` with a
reason each, and the step fails when more than ``--max-rejected-fraction`` of the files are bad.
The split is stratified (each class keeps its share in every split) and decided by a hash of each
file's path, so the same folder always gives the same split on any machine.
Splits are CSV files, like every scenario's: column ``image`` holds the resized image as base64 PNG.

    python -m {{ cookiecutter.package_name }}.cv.prep --input data/shapes --output outputs/prepared
"""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter
from pathlib import Path

import pandas as pd

from ..common import artifacts
from ..common.prep_options import (
    DEFAULT_MAX_REJECTED_FRACTION,
    DEFAULT_TEST_FRACTION,
    DEFAULT_VAL_FRACTION,
    add_split_options,
    describe_rejections,
)
from . import images

DEFAULT_IMAGE_SIZE = 32
# A class needs an image in each split, and a few to learn from.
MIN_IMAGES_PER_CLASS = 5
FEATURE, TARGET, ID = "image", "label", "id"


class PrepError(ValueError):
    pass


def find_files(root: Path) -> list[tuple[str, Path]]:
    """(label, file) for every file one level below a class folder; hidden files are not data."""
    root = Path(root)
    if not root.is_dir():
        raise PrepError(f"{root} is not a folder: expected <folder>/<label>/<image files>")
    found = [
        (folder.name, path)
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]
    if not found:
        raise PrepError(f"no files in class folders under {root}: expected <folder>/<label>/<image files>")
    return found


def read_images(root: Path, image_size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valid images (id, image as base64 PNG, label) and rejected files (id, label, reason)."""
    valid, rejected = [], []
    for label, path in find_files(root):
        key = path.relative_to(root).as_posix()
        if path.suffix.lower() not in images.FILE_SUFFIXES:
            reason = f"not an image file: suffix {path.suffix!r}, expected one of {', '.join(images.FILE_SUFFIXES)}"
            rejected.append({ID: key, TARGET: label, "rule": "not an image file", "reason": reason})
            continue
        try:
            checked = images.check_image(path.read_bytes())
        except images.ImageError as error:
            rejected.append({ID: key, TARGET: label, "rule": error.rule, "reason": f"image {error}"})
            continue
        valid.append({ID: key, FEATURE: images.to_png_base64(images.resize(checked.image, image_size)), TARGET: label})
    columns = [ID, TARGET, "rule", "reason"]
    return pd.DataFrame(valid, columns=[ID, FEATURE, TARGET]), pd.DataFrame(rejected, columns=columns)


def stratified_split(frame: pd.DataFrame, val_fraction: float, test_fraction: float) -> pd.Series:
    """Split name per row: within each class, rows ordered by a hash of their id and cut by the fractions."""
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError("val and test fractions must be in (0, 1) and leave images for training")
    position = frame[ID].map(lambda key: hashlib.sha256(key.encode()).hexdigest())
    split = pd.Series("train", index=frame.index)
    for _, rows in position.groupby(frame[TARGET]):
        ordered = rows.sort_values().index
        n_test = max(1, round(len(ordered) * test_fraction))
        n_val = max(1, round(len(ordered) * val_fraction))
        split[ordered[:n_test]] = "test"
        split[ordered[n_test : n_test + n_val]] = "val"
    return split


def prep(
    input_path: Path,
    output: Path,
    image_size: int = DEFAULT_IMAGE_SIZE,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    max_rejected_fraction: float = DEFAULT_MAX_REJECTED_FRACTION,
) -> dict:
    if image_size < images.MIN_SIDE:
        raise PrepError(f"--image-size {image_size} is too small: at least {images.MIN_SIDE}")
    valid, rejected = read_images(Path(input_path), image_size)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    files_read = len(valid) + len(rejected)
    report = {
        "input": str(input_path),
        "image_size": image_size,
        "files_read": files_read,
        "images_valid": len(valid),
        "files_rejected": len(rejected),
        "rejected_by_rule": dict(Counter(rejected["rule"])),
    }
    if len(rejected):
        rejected.to_csv(output / artifacts.REJECTED_FILE, index=False)
    artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
    if len(rejected) > max_rejected_fraction * files_read:
        raise PrepError(
            f"{len(rejected)} of {files_read} files are not usable images ({len(rejected) / files_read:.1%} >"
            f" {max_rejected_fraction:.1%} allowed); see {output / artifacts.REJECTED_FILE}"
        )
    counts = valid[TARGET].value_counts()
    if len(counts) < 2:
        raise PrepError(f"found {len(counts)} class folder(s) with images under {input_path}: at least 2 needed")
    too_few = sorted(counts[counts < MIN_IMAGES_PER_CLASS].index)
    if too_few:
        raise PrepError(f"classes with fewer than {MIN_IMAGES_PER_CLASS} valid images: {', '.join(too_few)}")

    split = stratified_split(valid, val_fraction, test_fraction)
    for name in artifacts.SPLITS:
        valid[split == name].to_csv(artifacts.split_path(output, name), index=False)
    report["labels"] = sorted(counts.index)
    report["split_rows"] = {name: int((split == name).sum()) for name in artifacts.SPLITS}
    report["class_counts"] = {
        name: valid.loc[split == name, TARGET].value_counts().to_dict() for name in artifacts.SPLITS
    }
    schema = {
        "features": [FEATURE],
        "target": TARGET,
        "id_column": ID,
        "dtypes": {ID: "str", FEATURE: "str", TARGET: "str"},  # folder names like "0" stay labels, not numbers
        "image_size": image_size,
        "labels": report["labels"],
    }
    artifacts.write_json(output / artifacts.SCHEMA_FILE, schema)
    artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
    return report


def describe(report: dict) -> str:
    lines = [
        f"prep: {report['files_read']} files read, {report['images_valid']} valid images,"
        f" {report['files_rejected']} rejected, resized to {report['image_size']}x{report['image_size']}"
    ]
    lines += describe_rejections(report)
    if "split_rows" in report:
        lines.append("  classes   " + ", ".join(report["labels"]))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Check and resize images from class folders; split them train/val/test.")
    p.add_argument("--input", type=Path, required=True, help="folder with one sub-folder of images per class")
    p.add_argument("--output", type=Path, required=True, help="folder for the splits, schema and report")
    p.add_argument(
        "--image-size",
        type=int,
        default=DEFAULT_IMAGE_SIZE,
        help="side in pixels the images are resized to (default: %(default)s; 224 for pretrained ResNets)",
    )
    add_split_options(p, "files")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = prep(
            args.input,
            args.output,
            args.image_size,
            args.val_fraction,
            args.test_fraction,
            args.max_rejected_fraction,
        )
    except PrepError as error:
        print(f"prep failed: {error}")
        return 1
    print(describe(report))
    if report["files_rejected"]:
        print(f"  rejected files with reasons: {args.output / artifacts.REJECTED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
