"""Responsible AI report and gate, offline: how the challenger serves each group, why it decides, where it fails.

The evaluate step calls ``assess`` on the test split. The scenario's ``responsible_ai`` module says which
groupings exist (``segments``: one column per grouping, ``SENSITIVE``: the ones the gate compares) and how to
explain the model cheaply (``explain``). Everything here is pandas and numpy: no extra package to install.

Writes ``responsible_ai/report.json`` (the numbers) and ``responsible_ai/report.md`` (the same for a person)
into the evaluate output; evaluate logs both to MLflow, in its own run and in the challenger's training run,
so they travel with the registered model.

Gate modes (``config/<env>.yml`` ``responsible_ai.mode``):
- ``disabled``: no report, no verdict;
- ``dry_run``: report and verdict, but a failing verdict does not stop registration;
- ``enabled``: a failing verdict rejects the challenger.
"""

from __future__ import annotations

import importlib
import itertools
import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .metrics import classification_metrics

DISABLED, DRY_RUN, ENABLED = "disabled", "dry_run", "enabled"
MODES = (DISABLED, DRY_RUN, ENABLED)
FOLDER = "responsible_ai"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
PACKAGE = __package__.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Settings:
    """The gate's thresholds; ``config/<env>.yml`` holds one set per environment."""

    mode: str = DRY_RUN
    metric: str = "accuracy"
    # The largest allowed difference in ``metric`` between the best and the worst served group.
    max_gap: float = 0.2
    # No group may score below this.
    min_group_score: float = 0.5
    # Smaller groups are reported but not gated: their scores are noise.
    min_group_size: int = 20
    # How many worst-served segments the report lists.
    top_segments: int = 5

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"responsible_ai mode must be one of {MODES}, got {self.mode!r}")

    @classmethod
    def from_config(cls, section: dict | None) -> Settings:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (section or {}).items() if k in known})


def scenario_hooks(scenario: str):
    return importlib.import_module(f"{PACKAGE}.{scenario}.responsible_ai")


def group_metrics(groups: pd.DataFrame, target: pd.Series, predicted: np.ndarray, settings: Settings) -> dict:
    """Per sensitive grouping: each group's size and scores, and the gap between the best and worst gated group."""
    target = pd.Series(np.asarray(target), index=groups.index)
    predicted = pd.Series(np.asarray(predicted), index=groups.index)
    result = {}
    for column in groups.columns:
        per_group = {}
        for value, rows in groups.groupby(column, observed=True).groups.items():
            with warnings.catch_warnings():  # a small group may hold a single class: its balanced accuracy says so
                warnings.simplefilter("ignore", UserWarning)
                scores = classification_metrics(target[rows], predicted[rows])
            per_group[str(value)] = {
                "size": len(rows),
                "gated": len(rows) >= settings.min_group_size,
                "error_rate": round(1 - scores["accuracy"], 6),
                **scores,
            }
        gated = [g[settings.metric] for g in per_group.values() if g["gated"]]
        result[column] = {
            "groups": per_group,
            "gap": round(max(gated) - min(gated), 6) if gated else 0.0,
            "min": min(gated) if gated else None,
        }
    return result


def worst_segments(segments: pd.DataFrame, correct: pd.Series, settings: Settings) -> list[dict]:
    """Error analysis: the slices (one or two segment values) with the highest error rate, largest first on ties."""
    errors = 1 - pd.Series(np.asarray(correct, dtype=float), index=segments.index)
    overall = float(errors.mean())
    found = []
    columns = list(segments.columns)
    for width in (1, 2):
        for chosen in itertools.combinations(columns, width):
            grouped = errors.groupby([segments[c] for c in chosen], observed=True).agg(["mean", "size"])
            for key, row in grouped.iterrows():
                if row["size"] < settings.min_group_size:
                    continue
                values = key if isinstance(key, tuple) else (key,)
                found.append(
                    {
                        "segment": " & ".join(f"{c}={v}" for c, v in zip(chosen, values, strict=True)),
                        "size": int(row["size"]),
                        "error_rate": round(float(row["mean"]), 6),
                        "overall_error_rate": round(overall, 6),
                    }
                )
    found.sort(key=lambda s: (-s["error_rate"], -s["size"], s["segment"]))
    return found[: settings.top_segments]


def breaches(fairness: dict, settings: Settings) -> list[str]:
    """Each broken threshold as a sentence; empty when the model passes."""
    problems = []
    for column, summary in fairness.items():
        if summary["gap"] > settings.max_gap:
            problems.append(
                f"{settings.metric} differs by {summary['gap']:.3f} between groups of {column} "
                f"(at most {settings.max_gap} allowed)"
            )
        for group, scores in summary["groups"].items():
            if scores["gated"] and scores[settings.metric] < settings.min_group_score:
                problems.append(
                    f"{column}={group} ({scores['size']} rows) has {settings.metric}={scores[settings.metric]:.3f} "
                    f"< {settings.min_group_score}"
                )
    return problems


def assess(scenario: str, predict, features: pd.DataFrame, target: pd.Series, settings: Settings) -> dict:
    """The whole report as a dict: fairness per group, explanations, worst segments and the gate's verdict."""
    hooks = scenario_hooks(scenario)
    predicted = np.asarray(predict(features))
    segments = hooks.segments(features)
    fairness = group_metrics(segments[list(hooks.SENSITIVE)], target, predicted, settings)
    problems = breaches(fairness, settings)
    return {
        "scenario": scenario,
        "settings": asdict(settings),
        "test_rows": len(target),
        "overall": classification_metrics(target, predicted),
        "sensitive_features": list(hooks.SENSITIVE),
        "grouping_note": hooks.GROUPING_NOTE,
        "fairness": fairness,
        "explanations": hooks.explain(predict, features, target),
        "worst_segments": worst_segments(segments, predicted == np.asarray(target), settings),
        "passed": not problems,
        "breaches": problems,
    }


def apply(verdict: str, reason: str, report: dict | None, mode: str, reject: str) -> tuple[str, str]:
    """The final verdict: only ``enabled`` turns a failing report into a rejection; ``dry_run`` only says it."""
    if report is None or mode == DISABLED or report["passed"]:
        return verdict, reason
    said = "; ".join(report["breaches"])
    if mode == ENABLED:
        return reject, f"responsible AI gate: {said}"
    return verdict, f"{reason} (responsible AI dry run would reject: {said})"


def write(report: dict, output: Path) -> Path:
    folder = Path(output) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT_JSON).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (folder / REPORT_MD).write_text(markdown(report), encoding="utf-8")
    return folder


def markdown(report: dict) -> str:
    settings = report["settings"]
    metric = settings["metric"]
    verdict = "passes" if report["passed"] else "FAILS"
    lines = [
        f"# Responsible AI report ({report['scenario']})",
        "",
        f"Test rows: {report['test_rows']}. Gate mode: `{settings['mode']}`. The model **{verdict}** the thresholds "
        f"({metric} gap between groups at most {settings['max_gap']}, every group at least "
        f"{settings['min_group_score']}; groups under {settings['min_group_size']} rows are shown, not gated).",
        "",
        *[f"- {problem}" for problem in report["breaches"]],
        *([""] if report["breaches"] else []),
        "Overall: " + ", ".join(f"{k}={v:.3f}" for k, v in report["overall"].items()),
        "",
        "## Metrics per group",
        "",
        report["grouping_note"],
    ]
    for column, summary in report["fairness"].items():
        lines += ["", f"### {column} (gap {summary['gap']:.3f})", ""]
        lines.append("| group | rows | error rate | accuracy | f1_macro |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for group, s in summary["groups"].items():
            mark = "" if s["gated"] else " (not gated)"
            lines.append(
                f"| {group}{mark} | {s['size']} | {s['error_rate']:.3f} | {s['accuracy']:.3f} | {s['f1_macro']:.3f} |"
            )
    explanations = report["explanations"]
    lines += ["", f"## Explanations: {explanations['method']}", "", explanations["note"], ""]
    lines += ["| " + " | ".join(explanations["columns"]) + " |", "|" + " --- |" * len(explanations["columns"])]
    lines += ["| " + " | ".join(str(row[c]) for c in explanations["columns"]) + " |" for row in explanations["rows"]]
    lines += ["", "## Worst-served segments (error analysis)", "", "| segment | rows | error rate | overall |"]
    lines.append("| --- | ---: | ---: | ---: |")
    for s in report["worst_segments"]:
        lines.append(f"| {s['segment']} | {s['size']} | {s['error_rate']:.3f} | {s['overall_error_rate']:.3f} |")
    return "\n".join(lines) + "\n"
