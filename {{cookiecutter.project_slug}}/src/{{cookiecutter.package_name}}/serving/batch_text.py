"""Batch files in, batch lines out: decoding input text, and output values that stay one safe CSV cell.

Azure ML appends each string ``run()`` returns as one line of the output file (``append_row``), and
the summaries count those lines. A value holding a line break (``\\n``, but also U+2028, U+0085,
``\\x0c``, ``\\x1e``... every boundary ``str.splitlines`` knows) would split one scored item into
several records. And a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula when the file is opened in a spreadsheet (OWASP, "CSV Injection":
https://owasp.org/www-community/attacks/CSV_Injection): such text gets a leading ``'``, which
spreadsheets show as text. Ids and file names come from the caller, so both rules apply to them.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

# Every line boundary of str.splitlines(), written out visibly instead (U+2028 -> "\u2028").
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_VISIBLE = {ord(c): f"\\u{ord(c):04x}" for c in LINE_BREAKS}
# OWASP's list of characters that start a spreadsheet formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Tried in order: UTF-8 (with or without a byte-order mark), then Windows-1252, which Excel on Windows
# writes and which reads Latin-1 text the same way for every printable character.
ENCODINGS = ("utf-8-sig", "cp1252")


def safe_text(value: object) -> object:
    """``value`` as one inert CSV cell: line breaks made visible, a formula start prefixed with '."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.translate(_VISIBLE)


def safe_column(values: pd.Series) -> pd.Series:
    """``safe_text`` on each text value of a column (numbers and missing values are left as they are)."""
    if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
        return values
    return values.map(safe_text)


def csv_lines(frame: pd.DataFrame) -> list[str]:
    """One CSV line (no line end) per row of ``frame``, every text cell made safe first.

    One vectorised write instead of a writer call per row: batch inputs run to millions of rows. With
    no line break left in any value, the text splits into records at "\\n" and nowhere else.
    """
    if frame.empty:
        return []
    safe = frame.apply(safe_column)
    text = safe.to_csv(header=False, index=False, lineterminator="\n", na_rep="")
    return text[:-1].split("\n")


def read_text(path: Path) -> str:
    """The text of a batch input file, or a ValueError saying why it is not text.

    UTF-16 when it starts with a UTF-16 byte-order mark (Excel's "Unicode text"), else UTF-8 (with or
    without a mark), else Windows-1252/Latin-1 (logged). NUL characters mean binary data, not text.
    """
    data = Path(path).read_bytes()
    encodings = ("utf-16",) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ENCODINGS
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ValueError("binary data (NUL bytes), not text")
        if encoding == ENCODINGS[-1]:
            logger.warning("%s is not UTF-8: read as %s", Path(path).name, encoding)
        return text
    raise ValueError(f"not text in {' or '.join(encodings)} (save the file as UTF-8)")
