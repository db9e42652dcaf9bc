"""Responsible AI hooks of the NLP scenario: groups by ticket length, token deletion on a few tickets.

The shipped tickets carry no personal attribute (no author, language or region), so the grouping the gate
compares is the ticket's length in words: short tickets give the model less to go on, and a model that fails
terse writers fails a group of people. Add a real attribute (e.g. the customer's language) as a column of your
data and return it from ``segments``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .texts import TEXT_COLUMN

LENGTH_BANDS = [0, 25, 40, 10_000]
EXAMPLES = 4
SENSITIVE = ("length_band",)
GROUPING_NOTE = (
    "Groups: the ticket's length in words (the shipped tickets hold no personal attribute); "
    "replace it with yours in src/.../nlp/responsible_ai.py."
)


def words(text: str) -> list[str]:
    return str(text).split()


def segments(features: pd.DataFrame) -> pd.DataFrame:
    counts = features[TEXT_COLUMN].map(lambda t: len(words(t)))
    labels = [f"{low}-{high - 1} words" for low, high in itertools.pairwise(LENGTH_BANDS)]
    length = pd.cut(counts, bins=LENGTH_BANDS, labels=labels, right=False).astype(str)
    has_digits = features[TEXT_COLUMN].str.contains(r"\d", regex=True).map({True: "yes", False: "no"})
    return pd.DataFrame({"length_band": length, "mentions_a_number": has_digits}, index=features.index)


def explain(predict, features: pd.DataFrame, target: pd.Series) -> dict:
    """Token deletion: for a few test tickets, the words whose removal changes the predicted label."""
    texts = features[TEXT_COLUMN].head(EXAMPLES).tolist()
    variants, owners = [], []
    for number, text in enumerate(texts):
        tokens = words(text)
        for position in range(len(tokens)):
            variants.append(" ".join(tokens[:position] + tokens[position + 1 :]))
            owners.append((number, tokens[position]))
    original = np.asarray(predict(pd.DataFrame({TEXT_COLUMN: texts})))
    changed = np.asarray(predict(pd.DataFrame({TEXT_COLUMN: variants}))) if variants else np.array([])
    decisive = {number: [] for number in range(len(texts))}
    for (number, token), label in zip(owners, changed, strict=True):
        if label != original[number]:
            decisive[number].append(token)
    rows = [
        {
            "ticket": text[:60] + ("..." if len(text) > 60 else ""),
            "true": str(target.iloc[number]),
            "predicted": str(original[number]),
            "decisive_words": ", ".join(decisive[number]) or "(no single word changes it)",
        }
        for number, text in enumerate(texts)
    ]
    return {
        "method": "token deletion",
        "note": f"For the first {len(texts)} test tickets: the words whose deletion alone changes the prediction.",
        "columns": ["ticket", "true", "predicted", "decisive_words"],
        "rows": rows,
    }
