"""The rules a text must follow, shared by prep (training data) and scoring (requests, batch files).

One definition keeps training and serving consistent: a text that prep would reject is refused by
the endpoint with the same reason, instead of being scored by a model that never saw its like.
"""

from __future__ import annotations

import math

TEXT_COLUMN = "text"
TARGET_COLUMN = "label"
# Tickets are a few sentences; a much longer text is a pasted log or e-mail thread, not a ticket.
# The tokenizer would cut it at the model's length anyway, so the prediction would rest on its start.
MAX_CHARACTERS = 2000


def text_problem(value: object) -> tuple[str, str] | None:
    """(rule, message) saying why ``value`` is not a usable text, or None when it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing", "missing"
    if not isinstance(value, str):
        return "not a string", f"must be a string, got {type(value).__name__}"
    if not value.strip():
        return "empty", "empty or only whitespace"
    if len(value) > MAX_CHARACTERS:
        return "too long", f"{len(value)} characters, at most {MAX_CHARACTERS} allowed"
    return None


# The shipped tickets' classes. Prep rejects other labels (a typo must not become a fifth class);
# pass ``--labels ""`` to prep to accept whatever labels your own data has.
LABELS = ("account", "billing", "shipping", "technical")
