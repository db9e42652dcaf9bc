"""Prep step: join the payment-history features, validate against the data contract, split train/val/test.

Bad rows are never dropped silently: they go to ``rejected.csv`` with a reason each, the report
counts them per broken rule, and the step fails when more than ``--max-rejected-fraction`` of the
rows are bad (a broken extract should stop the pipeline, not train a model on what is left).
The split is decided by a hash of each application id, so a row keeps its split when new rows
arrive and the same input always gives the same split, on any machine.
The two sources are joined point in time (tabular/history.py): each application gets the history
features as they were at its timestamp, never from a later repayment.

    python -m {{ cookiecutter.package_name }}.tabular.prep --input data/credit_default.csv \\
        --history data/payment_history.csv --output outputs/prepared
"""

from __future__ import annotations

import argparse
import hashlib
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
from ..config import PROJECT_ROOT
from . import history
from .contract import ContractError, load_contract, validate
{%- if cookiecutter.feature_store %}
from .feature_store import SPEC, get_offline_features, load_spec, read_retrieved
{%- endif %}

SHIPPED_HISTORY = PROJECT_ROOT / history.HISTORY_DATA


class TooManyRejectedRows(ValueError):
    pass


def read_raw(path: Path) -> pd.DataFrame:
    """The raw applications (a CSV file or a folder of them), every cell as text."""
    return artifacts.read_text_table(path)


def assign_split(keys: pd.Series, val_fraction: float, test_fraction: float) -> pd.Series:
    """Stable split per key: the first 8 bytes of its SHA-256 as a number in [0, 1)."""
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError("val and test fractions must be in (0, 1) and leave rows for training")
    position = keys.astype(str).map(lambda k: int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], "big") / 2**64)
    edges = [0, 1 - val_fraction - test_fraction, 1 - test_fraction, 1]
    return pd.Series(pd.cut(position, edges, labels=artifacts.SPLITS, right=False), index=keys.index).astype(str)


def prep(
    input_path: Path,
    output: Path,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    max_rejected_fraction: float = DEFAULT_MAX_REJECTED_FRACTION,
    history_path: Path = SHIPPED_HISTORY,
{%- if cookiecutter.feature_store %}
    feature_set_spec: Path = SPEC.parent,
    retrieved: Path | None = None,
{%- endif %}
) -> dict:
    contract = load_contract()
    valid_history, history_report = history.read_history(history_path)
{%- if cookiecutter.feature_store %}
    # Point-in-time retrieval from the feature set's specification, as the feature store does (feature_store.py).
    # The spec folder is an input: an Azure ML job holds only src/, not featurestore/.
    spec = load_spec(Path(feature_set_spec) / SPEC.name)
    if retrieved is not None:
        # On Azure ML the feature store joined them already (the feature_retrieval step of the pipeline).
        raw = read_retrieved(retrieved)
        missing = sorted(set(spec.features) - set(raw.columns))
        if missing:
            raise ContractError(f"the feature retrieval output lacks the feature set's features {missing}")
    else:
        raw = get_offline_features(read_raw(input_path), valid_history, spec=spec)
{%- else %}
    raw = history.with_history(read_raw(input_path), valid_history)
{%- endif %}
    result = validate(raw, contract)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    if len(result.rejected):
        result.rejected.to_csv(output / artifacts.REJECTED_FILE, index=False)
    report = result.report()
    report["input"] = str(input_path)
    report["history"] = {"input": str(history_path), **history_report}
    rejected_fraction = len(result.rejected) / max(result.rows_read, 1)
    if rejected_fraction > max_rejected_fraction or result.valid.empty:
        artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
        raise TooManyRejectedRows(
            f"{len(result.rejected)} of {result.rows_read} rows broke the contract ({rejected_fraction:.1%} > "
            f"{max_rejected_fraction:.1%} allowed); see {output / artifacts.REJECTED_FILE}"
        )

    valid = result.valid
    keys = valid[contract.id_column] if contract.id_column in valid else valid.index.to_series()
    split = assign_split(keys, val_fraction, test_fraction)
    for name in artifacts.SPLITS:
        valid[split == name].to_csv(artifacts.split_path(output, name), index=False)
    report["split_rows"] = {name: int((split == name).sum()) for name in artifacts.SPLITS}
    report["target_rate"] = {
        name: round(float(valid.loc[split == name, contract.target.name].mean()), 4) for name in artifacts.SPLITS
    }
    schema = {
        "contract": contract.name,
        "contract_version": contract.version,
        "features": contract.feature_names,
        "target": contract.target.name,
        "id_column": contract.id_column,
        "sources": {source: contract.features_from(source) for source in contract.sources},
        "dtypes": {column: str(dtype) for column, dtype in valid.dtypes.items()},
    }
    artifacts.write_json(output / artifacts.SCHEMA_FILE, schema)
    artifacts.write_json(output / artifacts.PREP_REPORT_FILE, report)
    return report


def describe(report: dict) -> str:
    lines = [f"prep: {report['rows_read']} rows read, {report['rows_valid']} valid, {report['rows_rejected']} rejected"]
    if "history" in report:
        past = report["history"]
        lines.append(f"  payment history: {past['rows_valid']} repayments used, {past['rows_rejected']} rejected")
    return "\n".join(lines + describe_rejections(report))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Validate raw data against the contract and split it train/val/test.")
    p.add_argument("--input", type=Path, required=True, help="raw CSV file, or a folder of CSV files")
    p.add_argument("--history", type=Path, default=SHIPPED_HISTORY, help="payment history CSV file or folder")
{%- if cookiecutter.feature_store %}
    p.add_argument("--feature-set-spec", type=Path, default=SPEC.parent, help="folder of the feature set's spec")
    p.add_argument("--retrieved", type=Path, help="feature_retrieval output folder (Azure ML); else joined here")
{%- endif %}
    p.add_argument("--output", type=Path, required=True, help="folder for the splits, schema and report")
    add_split_options(p, "rows")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = prep(
            args.input,
            args.output,
            args.val_fraction,
            args.test_fraction,
            args.max_rejected_fraction,
            args.history,
{%- if cookiecutter.feature_store %}
            args.feature_set_spec,
            args.retrieved,
{%- endif %}
        )
    except (ContractError, TooManyRejectedRows) as error:
        print(f"prep failed: {error}")
        return 1
    print(describe(report))
    if report["rows_rejected"]:
        print(f"  rejected rows with reasons: {args.output / artifacts.REJECTED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
