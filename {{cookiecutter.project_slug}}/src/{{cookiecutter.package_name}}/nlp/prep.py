"""Prep step: validate the raw tickets and split them train/val/test, stratified by label.

Rows with an empty, missing or too long text, or a missing or unknown label, go to ``rejected.csv``
with their reasons (never dropped silently); the step fails when more than
``--max-rejected-fraction`` of the rows are bad. The split keeps each class's share in every split
and is fixed by ``--seed``: the same input gives the same split on any machine.

    python -m {{ cookiecutter.package_name }}.nlp.prep --input data/nlp/support_tickets.csv --output outputs/prepared
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from ..common import artifacts
from ..common.prep_options import (
    DEFAULT_MAX_REJECTED_FRACTION,
    DEFAULT_TEST_FRACTION,
    DEFAULT_VAL_FRACTION,
    add_split_options,
    describe_rejections,
)
from .texts import LABELS, TARGET_COLUMN, TEXT_COLUMN, text_problem

DEFAULT_SEED = 42
REASON_COLUMN = "reason"


class PrepError(ValueError):
    pass


def read_raw(path: Path) -> pd.DataFrame:
    """The raw tickets (a CSV file or a folder of them), every cell as text; both columns required."""
    try:
        frame = artifacts.read_text_table(path)
    except FileNotFoundError as error:
        raise PrepError(str(error)) from None
    missing = [c for c in (TEXT_COLUMN, TARGET_COLUMN) if c not in frame.columns]
    if missing:
        raise PrepError(f"{path} lacks the column(s) {missing}; it has {list(frame.columns)}")
    return frame


def row_problems(text: str, label: str, labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """(rule, reason) for each broken rule of one row; rules are what the report counts."""
    problems = []
    if problem := text_problem(text):
        rule, message = problem
        problems.append((f"{TEXT_COLUMN} {rule}", f"{TEXT_COLUMN}: {message}"))
    if not label.strip():
        problems.append((f"{TARGET_COLUMN} missing", f"{TARGET_COLUMN}: missing"))
    elif labels and label not in labels:
        problems.append((f"{TARGET_COLUMN} unknown", f"{TARGET_COLUMN}: {label!r} is not one of {', '.join(labels)}"))
    return problems


def validate(raw: pd.DataFrame, labels: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Valid rows, rejected rows (with a ``reason`` column) and the count of rejections per rule."""
    problems = [row_problems(t, lab, labels) for t, lab in zip(raw[TEXT_COLUMN], raw[TARGET_COLUMN], strict=True)]
    bad = pd.Series([bool(p) for p in problems], index=raw.index)
    reasons = ["; ".join(reason for _, reason in p) for p in problems if p]
    by_rule: dict[str, int] = {}
    for rule, _ in (pair for p in problems for pair in p):
        by_rule[rule] = by_rule.get(rule, 0) + 1
    return raw[~bad], raw[bad].assign(**{REASON_COLUMN: reasons}), by_rule


def split(valid: pd.DataFrame, val_fraction: float, test_fraction: float, seed: int) -> dict[str, pd.DataFrame]:
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise PrepError("val and test fractions must be in (0, 1) and leave rows for training")
    counts = valid[TARGET_COLUMN].value_counts()
    smallest = max(3, round(2 / min(val_fraction, test_fraction)))
    if counts.min() < smallest:
        # Stratifying needs a few rows of each class in every split.
        raise PrepError(f"class {counts.idxmin()!r} has {counts.min()} valid rows; at least {smallest} are needed")
    rest, test = train_test_split(
        valid, test_size=test_fraction, stratify=valid[TARGET_COLUMN], random_state=seed, shuffle=True
    )
    train, val = train_test_split(
        rest, test_size=val_fraction / (1 - test_fraction), stratify=rest[TARGET_COLUMN], random_state=seed
    )
    return {"train": train, "val": val, "test": test}


def prep(
    input_path: Path,
    output: Path,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    max_rejected_fraction: float = DEFAULT_MAX_REJECTED_FRACTION,
    labels: tuple[str, ...] = LABELS,
    seed: int = DEFAULT_SEED,
) -> dict:
    raw = read_raw(input_path)
    valid, rejected, by_rule = validate(raw, labels)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    if len(rejected):
        rejected.to_csv(output / artifacts.REJECTED_FILE, index=False)
    report = {
        "input": str(input_path),
        "rows_read": len(raw),
        "rows_valid": len(valid),
        "rows_rejected": len(rejected),
        "rejected_by_rule": by_rule,
    }
    rejected_fraction = len(rejected) / max(len(raw), 1)
    if rejected_fraction > max_rejected_fraction or valid.empty:
        artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
        raise PrepError(
            f"{len(rejected)} of {len(raw)} rows are invalid ({rejected_fraction:.1%} > {max_rejected_fraction:.1%}"
            f" allowed); see {output / artifacts.REJECTED_FILE}"
        )
    splits = split(valid, val_fraction, test_fraction, seed)
    for name, frame in splits.items():
        frame.to_csv(artifacts.split_path(output, name), index=False)
    report["split_rows"] = {name: len(frame) for name, frame in splits.items()}
    report["label_counts"] = {
        name: frame[TARGET_COLUMN].value_counts().sort_index().to_dict() for name, frame in splits.items()
    }
    report["text_characters"] = valid[TEXT_COLUMN].str.len().describe().round(1).to_dict()
    schema = {
        "features": [TEXT_COLUMN],
        "target": TARGET_COLUMN,
        "labels": sorted(valid[TARGET_COLUMN].unique()),
        "dtypes": {column: "str" for column in valid.columns},
    }
    artifacts.write_json(output / artifacts.SCHEMA_FILE, schema)
    artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
    return report


def describe(report: dict) -> str:
    lines = [f"prep: {report['rows_read']} rows read, {report['rows_valid']} valid, {report['rows_rejected']} rejected"]
    lines += describe_rejections(report)
    if "split_rows" in report:
        lines.append("  labels    " + ", ".join(f"{k}={v}" for k, v in report["label_counts"]["train"].items()))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Validate raw tickets (text, label) and split them train/val/test.")
    p.add_argument("--input", type=Path, required=True, help="raw CSV file, or a folder of CSV files")
    p.add_argument("--output", type=Path, required=True, help="folder for the splits, schema and report")
    add_split_options(p, "rows")
    p.add_argument(
        "--labels",
        default=",".join(LABELS),
        help='comma-separated allowed labels; "" accepts any non-empty label (default: %(default)s)',
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="fixes the split (default: %(default)s)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    labels = tuple(label.strip() for label in args.labels.split(",") if label.strip())
    try:
        report = prep(
            args.input,
            args.output,
            args.val_fraction,
            args.test_fraction,
            args.max_rejected_fraction,
            labels,
            args.seed,
        )
    except PrepError as error:
        print(f"prep failed: {error}")
        return 1
    print(describe(report))
    if report["rows_rejected"]:
        print(f"  rejected rows with reasons: {args.output / artifacts.REJECTED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
