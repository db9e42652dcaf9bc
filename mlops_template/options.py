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


def pattern_id(answers: dict) -> str:
    return "-".join(str(answers[key]) for key in CORE_DIMENSIONS if key in answers) or "default"


def environments() -> list[str]:
    return list(cookiecutter_json()["_environments"])
