"""The data contract (``contract.yml``) as Python: column rules and row validation.

Prep, train, scoring and monitoring all go through this module, so a column's name, type and
valid range are stated once. Validation never drops a row silently: each rejected row carries
the reasons, and the report counts rows per broken rule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

CONTRACT_PATH = Path(__file__).with_name("contract.yml")
REASON_COLUMN = "rejection_reason"
TYPES = ("int", "float", "category", "timestamp")
# The source of a feature that the contract does not attribute to another one (see ``sources`` in contract.yml).
MAIN_SOURCE = "applications"


class ContractError(ValueError):
    """The input cannot be checked row by row (e.g. a required column is missing)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    min: float | None = None
    max: float | None = None
    allowed: tuple | None = None
    description: str = ""
    source: str = MAIN_SOURCE

    def problems(self, values: pd.Series) -> pd.Series:
        """One reason per row ("" when the value is valid)."""
        reasons = pd.Series("", index=values.index, dtype=object)
        missing = values.isna() | (values.astype(str).str.strip() == "")
        reasons[missing] = "missing"
        if self.type == "timestamp":
            reasons[~missing & pd.to_datetime(values, errors="coerce", format="ISO8601").isna()] = "not a timestamp"
            return reasons
        if self.type == "category":
            bad = ~missing & ~values.astype(str).isin([str(a) for a in self.allowed or ()])
            reasons[bad] = f"not one of {list(self.allowed or ())}"
            return reasons
        numbers = pd.to_numeric(values, errors="coerce")
        not_number = ~missing & numbers.isna()
        reasons[not_number] = "not a number"
        checked = ~missing & ~not_number
        if self.type == "int":
            fractional = checked & (numbers % 1 != 0)
            reasons[fractional] = "not a whole number"
            checked &= ~fractional
        if self.allowed is not None:
            bad = checked & ~numbers.isin(self.allowed)
            reasons[bad] = f"not one of {list(self.allowed)}"
        if self.min is not None:
            reasons[checked & (numbers < self.min)] = f"below {self.min}"
        if self.max is not None:
            reasons[checked & (numbers > self.max)] = f"above {self.max}"
        return reasons

    def cast(self, values: pd.Series) -> pd.Series:
        if self.type in ("category", "timestamp"):
            return values.astype(str)
        numbers = pd.to_numeric(values)
        return numbers.astype("int64") if self.type == "int" else numbers.astype("float64")


@dataclass(frozen=True)
class Contract:
    name: str
    version: int
    target: Column | None
    features: tuple[Column, ...]
    id_column: str | None = None
    description: str = ""
    # The entity a row describes and when it was observed: the keys of the point-in-time join (tabular/history.py).
    entity_column: str | None = None
    timestamp: Column | None = None
    sources: dict = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [c.name for c in self.features]

    def features_from(self, source: str) -> list[str]:
        """The features one source provides (monitoring reports drift per source)."""
        return [c.name for c in self.features if c.source == source]

    def columns_of_type(self, *types: str) -> list[str]:
        return [c.name for c in self.features if c.type in types]


@dataclass
class ValidationResult:
    valid: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    by_rule: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    def report(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "rows_valid": len(self.valid),
            "rows_rejected": len(self.rejected),
            "rejected_by_rule": self.by_rule,
            "ignored_columns": self.ignored_columns,
        }


def _column(spec: dict) -> Column:
    if spec.get("type") not in TYPES:
        raise ContractError(f"column {spec.get('name')!r}: type must be one of {TYPES}, got {spec.get('type')!r}")
    allowed = spec.get("allowed")
    return Column(
        name=spec["name"],
        type=spec["type"],
        min=spec.get("min"),
        max=spec.get("max"),
        allowed=tuple(allowed) if allowed is not None else None,
        description=spec.get("description", ""),
        source=spec.get("source", MAIN_SOURCE),
    )


def parse_contract(raw: dict) -> Contract:
    return Contract(
        name=raw["name"],
        version=int(raw["version"]),
        target=_column(raw["target"]) if raw.get("target") else None,
        features=tuple(_column(spec) for spec in raw["features"]),
        id_column=raw.get("id_column"),
        description=raw.get("description", ""),
        entity_column=raw.get("entity_column"),
        timestamp=_column(raw["timestamp"]) if raw.get("timestamp") else None,
        sources=dict(raw.get("sources") or {}),
    )


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    return parse_contract(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def validate(frame: pd.DataFrame, contract: Contract | None = None, require_target: bool = True) -> ValidationResult:
    """Split ``frame`` into typed valid rows and rejected rows (with a reason column)."""
    contract = contract or load_contract()
    columns = list(contract.features) + ([contract.target] if require_target and contract.target else [])
    missing_columns = [c.name for c in columns if c.name not in frame.columns]
    if missing_columns:
        raise ContractError(f"input lacks required column(s) {missing_columns} of contract {contract.name!r}")
    # The timestamp is checked in the data a join reads (training rows, history rows); requests need none,
    # and serving ignores one they carry (its features arrive joined already).
    joined_on_timestamp = require_target or contract.target is None
    if joined_on_timestamp and contract.timestamp and contract.timestamp.name in frame.columns:
        columns.append(contract.timestamp)
    keys = [contract.id_column, contract.entity_column, contract.timestamp.name if contract.timestamp else None]
    keep = [k for k in dict.fromkeys(keys + [c.name for c in columns]) if k and k in frame.columns]
    ignored = [c for c in frame.columns if c not in keep]

    reasons = pd.Series("", index=frame.index, dtype=object)
    counts: Counter[str] = Counter()
    for column in columns:
        problems = column.problems(frame[column.name])
        for problem, count in problems[problems != ""].value_counts().items():
            counts[f"{column.name}: {problem}"] += int(count)
        labelled = (column.name + ": " + problems).where(problems != "", "")
        reasons = reasons.str.cat(labelled, sep="; ").str.strip("; ")

    bad = reasons != ""
    valid = frame.loc[~bad, keep].copy()
    for column in columns:
        valid[column.name] = column.cast(valid[column.name])
    rejected = frame.loc[bad].copy()
    rejected[REASON_COLUMN] = reasons[bad]
    return ValidationResult(
        valid=valid.reset_index(drop=True),
        rejected=rejected,
        rows_read=len(frame),
        by_rule=dict(sorted(counts.items())),
        ignored_columns=ignored,
    )
