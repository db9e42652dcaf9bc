"""The option matrix, read from ``cookiecutter.json`` and nowhere else."""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
COOKIECUTTER_JSON = TEMPLATE_ROOT / "cookiecutter.json"

# The four dimensions whose product is the pattern matrix (2 x 2 x 3 x 2 = 24).
CORE_DIMENSIONS = ("infrastructure", "ci_platform", "ml_scenario", "deployment_mode")


@cache
def cookiecutter_json() -> dict:
    return json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))


def public_keys() -> list[str]:
    """Keys a user can set (cookiecutter ignores private ``_x`` and ``__x`` keys for prompting)."""
    return [key for key in cookiecutter_json() if not key.startswith("_")]


def choices(key: str) -> list:
    """Allowed values of a choice or boolean option, default first."""
    value = cookiecutter_json()[key]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, bool):
        return [value, not value]
    raise KeyError(f"{key} is free text, not a choice")


def defaults() -> dict:
    """The value each choice/boolean option takes with ``--no-input``."""
    return {key: choices(key)[0] for key in public_keys() if isinstance(cookiecutter_json()[key], (list, bool))}


def prompt_text(key: str) -> str:
    prompt = cookiecutter_json().get("__prompts__", {}).get(key, key)
    return prompt["__prompt__"] if isinstance(prompt, dict) else prompt


def core_patterns() -> list[dict]:
    """Every combination of the core dimensions: the 24 patterns."""
    values = [choices(key) for key in CORE_DIMENSIONS]
    return [dict(zip(CORE_DIMENSIONS, combo, strict=True)) for combo in itertools.product(*values)]


def extra_option_variants() -> list[dict]:
    """Each non-default value of every choice outside the core dimensions, one at a time."""
    variants = []
    for key in public_keys():
        if key in CORE_DIMENSIONS or not isinstance(cookiecutter_json()[key], (list, bool)):
            continue
        for value in choices(key)[1:]:
            variants.append({key: value})
    return variants


def option_rules() -> list[dict]:
    """Answers that only make sense together: ``when`` these values, ``require`` one of those (with ``why``)."""
    return list(cookiecutter_json().get("_option_rules", []))


def rule_violations(answers: dict) -> list[tuple[dict, str, object]]:
    """(rule, required key, its value) for each rule the answers break; a key not answered breaks nothing."""
    broken = []
    for rule in option_rules():
        if all(key in answers and answers[key] == value for key, value in rule["when"].items()):
            for key, allowed in rule["require"].items():
                if key in answers and answers[key] not in allowed:
                    broken.append((rule, key, answers[key]))
    return broken


def _dimensions() -> dict[str, list]:
    return {key: choices(key) for key in public_keys() if isinstance(cookiecutter_json()[key], (list, bool))}


@cache
def pairwise_variants() -> list[dict]:
    """Bakes that put every non-default value of an extra option beside every value of every other option.

    The 24 core patterns already pair every core value with every default; what is left are the pairs that
    hold a non-default extra value. A greedy covering array (deterministic: options in cookiecutter.json's
    order) covers them in a handful of bakes instead of a full product. Each variant lists only the answers
    that differ from the defaults, so a variant equal to a core pattern is baked once.
    """
    dims = _dimensions()
    extras = [key for key in dims if key not in CORE_DIMENSIONS]

    def allowed(row: dict) -> bool:
        return not rule_violations(row)

    def full_rows_exist(pair: dict) -> bool:
        # rules only restrict non-default values, so the defaults complete any allowed partial row
        return allowed({**defaults(), **pair})

    todo = set()
    for key in extras:
        for value in dims[key][1:]:
            for other, values in dims.items():
                if other == key:
                    continue
                for other_value in values:
                    pair = {key: value, other: other_value}
                    if full_rows_exist(pair):
                        todo.add(frozenset((k, json_key(v)) for k, v in pair.items()))

    def build_row(seed: frozenset) -> dict:
        row: dict = {key: json.loads(value) for key, value in seed}
        for key, values in dims.items():
            if key in row:
                continue
            best, best_gain = None, -1
            for value in values:
                candidate = {**row, key: value}
                if not allowed(candidate):
                    continue
                items = {(k, json_key(v)) for k, v in candidate.items()}
                gain = sum(1 for pair in todo if pair <= items and (key, json_key(value)) in pair)
                if gain > best_gain:
                    best, best_gain = value, gain
            row[key] = best
        return {key: row[key] for key in dims}

    def covered_by(row: dict) -> set:
        items = {(k, json_key(v)) for k, v in row.items()}
        return {pair for pair in todo if pair <= items}

    rows: list[dict] = []
    while todo:
        # try each open pair as the seed of the next row and keep the row that closes the most pairs
        # (ties: the first seed in sorted order, so the result never changes between runs)
        seeds = sorted(todo, key=lambda pair: sorted(pair))
        row = max((build_row(seed) for seed in seeds), key=lambda candidate: len(covered_by(candidate)))
        covered = covered_by(row)
        if not covered:  # cannot happen while every pair can be completed; guards against an endless loop
            raise RuntimeError(f"pairwise: no progress on {sorted(map(sorted, todo))[:3]}")
        todo -= covered
        rows.append({key: value for key, value in row.items() if value != defaults()[key]})
    return rows


def json_key(value: object) -> str:
    return json.dumps(value)


def pattern_id(answers: dict) -> str:
    return "-".join(str(answers[key]) for key in CORE_DIMENSIONS if key in answers) or "default"


def environments() -> list[str]:
    return list(cookiecutter_json()["_environments"])
