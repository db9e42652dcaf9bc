"""What the scoring scripts of every scenario answer besides predictions: client errors and batch lines.

Bad input is the caller's mistake, so it becomes a 4xx with a message, never a 500: the
inference server would turn an exception into a generic 500 that tells the caller nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field

from .batch_text import safe_text

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


# Integers must fit pandas' int64; longer literals are refused before Python converts them.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_INTEGER_DIGITS = 19
# A lone UTF-16 surrogate written as a JSON escape ("\\udcff"): valid JSON syntax, but not text that
# UTF-8, pandas or pyarrow can store. Only bodies holding such an escape pay for the full check.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
JSON_MEDIA_TYPE = "application/json"
# Azure ML's MLflow request format: pandas' "split" orientation, whose "index" is accepted and unused.
INPUT_DATA_KEYS = ("columns", "data", "index")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    body = dict(pairs)
    if len(body) != len(pairs):
        seen: set[str] = set()
        twice = sorted({key for key, _ in pairs if key in seen or seen.add(key)})
        # JSON parsers disagree on which duplicate wins: the caller must say what they mean.
        raise RequestError(422, f"duplicate keys in one JSON object: {', '.join(map(repr, twice))}")
    return body


def _bounded_int(literal: str) -> int:
    digits = literal.lstrip("-")
    if len(digits) > MAX_INTEGER_DIGITS or not INT64_MIN <= (value := int(literal)) <= INT64_MAX:
        raise RequestError(
            400, f"integer {literal[:24]}{'...' if len(literal) > 24 else ''} is outside the 64-bit range"
        )
    return value


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise RequestError(400, f"number {literal[:24]}{'...' if len(literal) > 24 else ''} is too large for a float")
    return value


def _no_constant(name: str) -> float:
    raise RequestError(400, f"{name} is not a JSON number")


def parse_json(raw: str | bytes) -> object:
    """The JSON body, or a 400 naming what is wrong (syntax, depth, numbers or text outside what a row can hold).

    Strict on purpose: duplicate keys are a 422 (parsers disagree on which one wins), NaN and
    Infinity are not JSON, integers must fit 64 bits, floats must be finite and strings must be
    valid Unicode (no lone surrogate).
    """
    try:
        body = json.loads(
            raw,
            object_pairs_hook=_unique_keys,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except RecursionError:
        raise RequestError(400, "request body nests JSON arrays or objects too deeply") from None
    except (TypeError, ValueError) as error:
        raise RequestError(400, f"request body is not valid JSON: {error}") from None
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError(
                400, "request body holds a lone UTF-16 surrogate escape (not valid Unicode text)"
            ) from None
    return body


def check_content_type(headers: dict | None) -> None:
    """A 415 unless the request says its body is JSON (``application/json``, UTF-8 if a charset is given)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), None)
    media_type, *parameters = str(value or "").split(";")
    charsets = [
        p.split("=", 1)[1].strip().strip('"').lower() for p in parameters if p.strip().lower().startswith("charset=")
    ]
    if media_type.strip().lower() != JSON_MEDIA_TYPE or any(c not in ("utf-8", "utf8") for c in charsets):
        shown = repr(value) if value else "none"
        raise RequestError(
            415, f"send the body as JSON with the header 'Content-Type: {JSON_MEDIA_TYPE}' (got {shown})"
        )


def reject_unknown_keys(mapping: dict, known: tuple[str, ...] | list[str], where: str) -> None:
    """A 422 naming the keys of ``mapping`` that are not ``known``: a typo must not be ignored silently."""
    unknown = [key for key in mapping if key not in known]
    if unknown:
        problems = [{"field": key, "problem": "unknown field"} for key in unknown]
        expected = ", ".join(map(repr, known))
        raise RequestError(
            422, f"unknown fields in {where}: {', '.join(map(repr, unknown))} (expected {expected})", problems
        )


def column_items(body: object, key: str, column: str, described: str, limit: int) -> list:
    """The items of a one-column request, e.g. ``{"texts": [...]}``, or Azure ML's MLflow form
    ``{"input_data": {"columns": ["text"], "data": [["..."], ...]}}``; a 400 or 413 when it is
    malformed, empty or too long. ``described`` says what an item is, for the messages."""
    if isinstance(body, dict) and key in body:
        reject_unknown_keys(body, (key,), "the request")
        if not isinstance(body[key], list):
            raise RequestError(400, f'"{key}" must be a list of {described}')
        items = body[key]
    elif isinstance(body, dict) and isinstance(body.get("input_data"), dict):
        reject_unknown_keys(body, ("input_data",), "the request")
        reject_unknown_keys(body["input_data"], INPUT_DATA_KEYS, '"input_data"')
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
    """One CSV line (no line end) of BATCH_COLUMNS values, quoted where needed, text made safe (batch_text)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([safe_text(value) for value in values])
    return buffer.getvalue()


def file_error_line(name: str, error: Exception | str) -> str:
    """The line that stands for a whole file that could not be scored (unreadable, wrong type...)."""
    message = " ".join(f"file not scored: {error}".split())  # one line, whatever the error text
    return batch_line([name, "", "", "", "", message])
