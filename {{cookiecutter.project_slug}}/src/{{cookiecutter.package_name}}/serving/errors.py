"""What the scoring scripts of every scenario answer besides predictions: client errors and batch lines.

Bad input is the caller's mistake, so it becomes a 4xx with a message, never a 500: the
inference server would turn an exception into a generic 500 that tells the caller nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

# At most this many item problems are listed in an error answer, so the answer stays readable.
MAX_LISTED_PROBLEMS = 20
# One output line per scored item (row, image or text) of a batch input file; ``error`` is last.
BATCH_COLUMNS = ["source_file", "row", "id", "prediction", "probability", "error"]


@dataclass
class RequestError(Exception):
    """A client error: HTTP ``status`` and a message; ``problems`` lists each broken field of each item."""

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


def parse_json(raw: str | bytes) -> object:
    """The JSON body, or a 400 naming the position of the syntax error."""
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as error:
        raise RequestError(400, f"request body is not valid JSON: {error}") from None


def column_items(body: object, key: str, column: str, described: str, limit: int) -> list:
    """The items of a one-column request, e.g. ``{"texts": [...]}``, or Azure ML's MLflow form
    ``{"input_data": {"columns": ["text"], "data": [["..."], ...]}}``; a 400 or 413 when it is
    malformed, empty or too long. ``described`` says what an item is, for the messages."""
    if isinstance(body, dict) and key in body:
        if not isinstance(body[key], list):
            raise RequestError(400, f'"{key}" must be a list of {described}')
        items = body[key]
    elif isinstance(body, dict) and isinstance(body.get("input_data"), dict):
        columns, rows = body["input_data"].get("columns"), body["input_data"].get("data")
        if columns != [column]:
            raise RequestError(400, f'"input_data.columns" must be ["{column}"], got {columns!r}')
        if not isinstance(rows, list) or not all(isinstance(row, list) and len(row) == 1 for row in rows):
            raise RequestError(400, f'"input_data.data" must be a list of rows of one value each (the {column})')
        items = [row[0] for row in rows]
    else:
        raise RequestError(
            400, f'expected a JSON object with "{key}" (a list of {described}) or "input_data" (columns and data)'
        )
    if not items:
        raise RequestError(400, f"the request holds no {key}")
    if len(items) > limit:
        raise RequestError(413, f"{len(items)} {key} in one request; at most {limit} (use the batch endpoint)")
    return items


def batch_line(values: list) -> str:
    """One CSV line (no line end) of BATCH_COLUMNS values, quoted where the values need it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def file_error_line(name: str, error: Exception | str) -> str:
    """The line that stands for a whole file that could not be scored (unreadable, wrong type...)."""
    message = " ".join(f"file not scored: {error}".split())  # one line, whatever the error text
    return batch_line([name, "", "", "", "", message])
