"""Turn a scoring request into contract-checked rows, or a client error that names the field.

Accepted bodies (JSON), many rows per request:
    {"data": [{"age": 41, "annual_income": 52000.0, ...}, ...]}
    {"input_data": {"columns": ["age", ...], "data": [[41, ...], ...]}}   (Azure ML's MLflow format)

Bad input becomes a ``RequestError`` (a 4xx naming the field), never a 500.
"""

from __future__ import annotations

import pandas as pd

from ..tabular.contract import REASON_COLUMN, ContractError, load_contract
from .checks import check, typed_records
from .errors import RequestError, parse_json

# A guard against accidental huge bodies; the batch endpoint is the place for many rows.
MAX_ROWS = 10_000


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


def rows_from_request(raw: str | bytes) -> pd.DataFrame:
    """Contract-valid, typed feature rows of a raw request body (all of them), else a RequestError."""
    return rows_from_body(parse_json(raw))


def rows_from_body(body: object) -> pd.DataFrame:
    """Contract-valid, typed feature rows of a decoded request body, else a RequestError."""
    records = _records(body)
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
