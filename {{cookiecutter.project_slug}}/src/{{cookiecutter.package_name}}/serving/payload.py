"""Turn a scoring request into contract-checked rows, or a client error that names the field.

Accepted bodies (JSON), many rows per request:
    {"data": [{"age": 41, "annual_income": 52000.0, ...}, ...]}
    {"input_data": {"columns": ["age", ...], "data": [[41, ...], ...]}}   (Azure ML's MLflow format)

Bad input is the caller's mistake, so it becomes a 4xx with a message, never a 500: the
inference server would turn an exception into a generic 500 that tells the caller nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from ..tabular.contract import REASON_COLUMN, ContractError, load_contract
from .checks import check, typed_records

# A guard against accidental huge bodies; the batch endpoint is the place for many rows.
MAX_ROWS = 10_000
# At most this many row problems are listed in an error answer, so the answer stays readable.
MAX_LISTED_PROBLEMS = 20


@dataclass
class RequestError(Exception):
    """A client error: HTTP ``status`` and a message; ``problems`` lists each broken field."""

    status: int
    message: str
    problems: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict:
        body = {"error": self.message}
        if self.problems:
            body["problems"] = self.problems[:MAX_LISTED_PROBLEMS]
        return body


def _records(body: object) -> list:
    """The request's rows as a list of {column: value} (rows of other types are caught later)."""
    if isinstance(body, dict) and "data" in body:
        rows = body["data"]
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise RequestError(400, '"data" must be a list of objects, one per row (column name -> value)')
        return rows
    if isinstance(body, dict) and isinstance(body.get("input_data"), dict):
        split = body["input_data"]
        columns, rows = split.get("columns"), split.get("data")
        if not isinstance(columns, list) or not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise RequestError(400, '"input_data" needs "columns" (a list of names) and "data" (a list of rows)')
        if any(len(row) != len(columns) for row in rows):
            raise RequestError(400, f'every row of "input_data.data" must have {len(columns)} values, one per column')
        return [dict(zip(columns, row, strict=True)) for row in rows]
    raise RequestError(400, 'expected a JSON object with "data" (list of rows) or "input_data" (columns and data)')


def parse(raw: str | bytes) -> dict:
    """The JSON body, or a 400 naming the position of the syntax error."""
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as error:
        raise RequestError(400, f"request body is not valid JSON: {error}") from None


def rows_from_request(raw: str | bytes) -> pd.DataFrame:
    """Contract-valid, typed feature rows of a request (all of them), else a RequestError."""
    records = _records(parse(raw))
    if not records:
        raise RequestError(400, "the request holds no rows")
    if len(records) > MAX_ROWS:
        raise RequestError(413, f"{len(records)} rows in one request; at most {MAX_ROWS} (use the batch endpoint)")
    contract = load_contract()
    quick = typed_records(records, contract)
    if quick is not None:
        return quick
    frame = pd.DataFrame.from_records(records)
    try:
        checked = check(frame, contract)
    except ContractError as error:
        missing = [c for c in contract.feature_names if c not in frame.columns]
        problems = [{"field": name, "problem": "missing column"} for name in missing]
        raise RequestError(422, str(error), problems) from None
    except (TypeError, ValueError) as error:
        # e.g. a list or an object where a number belongs
        raise RequestError(422, f"values of unexpected type: {error}") from None
    if len(checked.rejected):
        problems = rejected_problems(checked.rejected)
        fields = sorted({p["field"] for p in problems})
        message = f"{len(checked.rejected)} of {len(frame)} rows break the data contract (fields: {', '.join(fields)})"
        raise RequestError(422, message, problems)
    return checked.valid


def rejected_problems(rejected: pd.DataFrame) -> list[dict]:
    """One entry per broken field per row: {"row": i, "field": name, "problem": text}."""
    problems = []
    for row, reasons in rejected[REASON_COLUMN].items():
        for reason in str(reasons).split("; "):
            name, _, problem = reason.partition(": ")
            problems.append({"row": int(row), "field": name, "problem": problem})
    return problems
