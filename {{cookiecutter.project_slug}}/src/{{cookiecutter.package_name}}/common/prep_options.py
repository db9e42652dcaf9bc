"""The split and rejection options every scenario's prep step takes, with the same names and defaults.

The Azure ML prep components pass the same options (``mlops/azureml/components/prep.yml``), so
a test can hold each component's defaults to its step's CLI.
"""

from __future__ import annotations

import argparse

DEFAULT_VAL_FRACTION = 0.15
DEFAULT_TEST_FRACTION = 0.15
# A little broken data is normal and is reported; much more means the source broke: stop.
DEFAULT_MAX_REJECTED_FRACTION = 0.05


def add_split_options(parser: argparse.ArgumentParser, items: str) -> None:
    """``--val-fraction``, ``--test-fraction`` and ``--max-rejected-fraction`` (``items``: "rows", "files"...)."""
    parser.add_argument("--val-fraction", type=float, default=DEFAULT_VAL_FRACTION)
    parser.add_argument("--test-fraction", type=float, default=DEFAULT_TEST_FRACTION)
    parser.add_argument(
        "--max-rejected-fraction",
        type=float,
        default=DEFAULT_MAX_REJECTED_FRACTION,
        help=f"fail when more {items} than this are rejected (default: %(default)s)",
    )


def describe_rejections(report: dict) -> list[str]:
    """The report lines every prep prints: one per broken rule, then the split sizes."""
    lines = [f"  rejected  {count:>4}  {rule}" for rule, count in report["rejected_by_rule"].items()]
    if "split_rows" in report:
        lines.append("  split     " + ", ".join(f"{k}={v}" for k, v in report["split_rows"].items()))
    return lines
