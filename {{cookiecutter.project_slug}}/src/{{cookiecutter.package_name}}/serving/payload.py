"""Turn a scoring request into contract-checked rows, or a client error that names the field.

Accepted bodies (JSON), many rows per request:
    {"data": [{"age": 41, "annual_income": 52000.0, ...}, ...]}
    {"input_data": {"columns": ["age", ...], "data": [[41, ...], ...]}}   (Azure ML's MLflow format)

Bad input becomes a ``RequestError`` (a 4xx naming the field), never a 500.
"""

from __future__ import annotations

import pandas as pd

from ..tabular.contract import REASON_COLUMN, Contract, ContractError, load_contract
from .checks import check, typed_records
from .errors import INPUT_DATA_KEYS, RequestError, parse_json, reject_unknown_keys

# A guard against accidental huge bodies; the batch endpoint is the place for many rows.
MAX_ROWS = 10_000


def _records(body: object) -> list:
    """The request's rows as a list of {column: value} (rows of other types are caught later)."""
    if isinstance(body, dict) and "data" in body:
        reject_unknown_keys(body, ("data",), "the request")
        rows = body["data"]
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise RequestError(400, '"data" must be a list of objects, one per row (column name -> value)')
        return rows
    if isinstance(body, dict) and isinstance(body.get("input_data"), dict):
        reject_unknown_keys(body, ("input_data",), "the request")
        split = body["input_data"]
        reject_unknown_keys(split, INPUT_DATA_KEYS, '"input_data"')
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
    _reject_unknown_fields(records, contract)
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
    except (TypeError, ValueError, OverflowError) as error:
        # e.g. a list or an object where a number belongs
        raise RequestError(422, f"values of unexpected type: {error}") from None
    # The contract reads "41" as the number 41 (and true as 1), as it must for CSV files; a JSON client
    # that sends a string where a number belongs has a bug worth hearing about, so its type is named first.
    problems = _json_type_problems(records, contract)
    listed = {(p["row"], p["field"]) for p in problems}
    if len(checked.rejected):
        problems += [p for p in rejected_problems(checked.rejected) if (p["row"], p["field"]) not in listed]
    if problems:
        rows = len({p["row"] for p in problems})
        fields = sorted({p["field"] for p in problems})
        message = f"{rows} of {len(frame)} rows break the data contract (fields: {', '.join(fields)})"
        raise RequestError(422, message, sorted(problems, key=lambda p: p["row"]))
    return checked.valid


def _reject_unknown_fields(records: list[dict], contract: Contract) -> None:
    known = set(contract.feature_names)
    for row, record in enumerate(records):
        unknown = [key for key in record if key not in known]
        if unknown:
            problems = [{"row": row, "field": key, "problem": "unknown field"} for key in unknown]
            names = ", ".join(map(repr, unknown))
            raise RequestError(422, f"row {row} has fields the model does not take: {names}", problems)


def _json_type_name(value: object) -> str:
    names = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a number")


def _json_type_problems(records: list[dict], contract: Contract) -> list[dict]:
    """Cells whose JSON type is not the column's: a number for int/float, a string for category."""
    problems = []
    for row, record in enumerate(records):
        for column in contract.features:
            value = record.get(column.name)
            if value is None:
                continue  # missing: the contract names it
            wanted = "string" if column.type == "category" else "number"
            ok = isinstance(value, str) if wanted == "string" else isinstance(value, int | float)
            if not ok or isinstance(value, bool):
                problem = f"expected a JSON {wanted}, got {_json_type_name(value)}"
                problems.append({"row": row, "field": column.name, "problem": problem})
    return problems


def rejected_problems(rejected: pd.DataFrame) -> list[dict]:
    """One entry per broken field per row: {"row": i, "field": name, "problem": text}."""
    problems = []
    for row, reasons in rejected[REASON_COLUMN].items():
        for reason in str(reasons).split("; "):
            name, _, problem = reason.partition(": ")
            problems.append({"row": int(row), "field": name, "problem": problem})
    return problems
