"""The local loop: prep -> train -> evaluate -> register, in one process, tracked in ./mlflow.db.

The steps are the same modules, with the same command-line arguments, that the Azure ML pipeline
runs as components; the loop only chains their output folders. Arguments it does not know are
passed on to the scenario's train step (e.g. ``--max-iter 300``).

    python -m {{ cookiecutter.package_name }}.common.loop
"""

from __future__ import annotations

import argparse
import importlib
import time
from datetime import datetime
from pathlib import Path

from ..config import PROJECT_ROOT{% if cookiecutter.responsible_ai %}, load_config{% endif %}
from . import artifacts, evaluate, register, tracking

SCENARIO = "{{ cookiecutter.ml_scenario }}"
PACKAGE = __package__.rsplit(".", 1)[0]  # works under `python -m` too, where __name__ is "__main__"


def scenario_module(scenario: str, step: str = ""):
    name = f"{PACKAGE}.{scenario}" + (f".{step}" if step else "")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        raise SystemExit(f"scenario {scenario!r} has no {step or 'package'} module ({name}): {error}") from error


def shipped_data(scenario: str = SCENARIO) -> Path:
    """The scenario's shipped raw data, created first when the scenario generates it (cv draws its images)."""
    package = scenario_module(scenario)
    path = PROJECT_ROOT / package.RAW_DATA
    if hasattr(package, "ensure_raw_data"):
        package.ensure_raw_data(path)
    return path


def run_loop(
    scenario: str, data: Path | None, outputs: Path, evaluate_args: list[str], train_args: list[str]
) -> dict | None:
    package = scenario_module(scenario)
    data = data or shipped_data(scenario)
    folder = outputs / datetime.now().strftime("loop-%Y%m%d-%H%M%S-%f")
    paths = {name: folder / name for name in ("prepared", "trained", "decision", "registration")}
    uri = tracking.configure(experiment=package.MODEL_NAME)
    steps = [
        ("prep", scenario_module(scenario, "prep").main, ["--input", data, "--output", paths["prepared"]]),
        (
            "train",
            scenario_module(scenario, "train").main,
            ["--prepared", paths["prepared"], "--output", paths["trained"], *train_args],
        ),
        (
            "evaluate",
            evaluate.main,
            [
                *("--prepared", paths["prepared"], "--trained", paths["trained"]),
                *("--model-name", package.MODEL_NAME, "--output", paths["decision"], *evaluate_args),
            ],
        ),
        ("register", register.main, ["--decision", paths["decision"], "--output", paths["registration"]]),
    ]
    seconds = {}
    for name, step, argv in steps:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        if step([str(a) for a in argv]) != 0:
            print(f"\nloop stopped: the {name} step failed (outputs so far in {folder})")
            return None
        seconds[name] = time.perf_counter() - started
    summary = {
        "outputs": folder,
        "seconds": seconds,
        "tracking_uri": uri,
        "train": artifacts.read_json(paths["trained"] / artifacts.TRAIN_INFO_FILE),
        "decision": artifacts.read_json(paths["decision"] / artifacts.DECISION_FILE),
        "registration": artifacts.read_json(paths["registration"] / artifacts.REGISTRATION_FILE),
    }
    print(describe(summary))
    return summary


def describe(summary: dict) -> str:
    decision, registration = summary["decision"], summary["registration"]
    metric = decision["metric"]
    challenger = decision["challenger"]["metrics"]
    tested = ", ".join(f"{k}={v:.4f}" for k, v in challenger.items())
    lines = [
        "",
        "== summary ==",
        f"run id:        {summary['train']['run_id']}",
        f"test metrics:  {tested}",
    ]
    if decision["champion"]:
        champion = decision["champion"]
        lines.append(f"champion:      version {champion['version']} {metric}={champion['metrics'][metric]:.4f}")
    else:
        lines.append("champion:      none yet (first model)")
    lines.append(f"verdict:       {decision['verdict']} ({decision['reason']})")
    if registration["registered"]:
        lines.append(f"registered:    {registration['model_name']} version {registration['version']}")
    else:
        lines.append("registered:    nothing (the champion is kept)")
    if registration.get("model_uri"):
        lines.append(f"model URI:     {registration['model_uri']}")
{%- if cookiecutter.responsible_ai %}
    rai = decision.get("responsible_ai", {})
    if "passed" in rai:
        state = "passes" if rai["passed"] else "fails: " + "; ".join(rai["breaches"])
        lines.append(f"responsible AI: {state} (mode {rai['mode']})")
        lines.append(f"RAI report:    {summary['outputs'] / 'decision' / 'responsible_ai' / 'report.md'}")
{%- endif %}
    lines.append(f"outputs:       {summary['outputs']}")
    lines.append("step seconds:  " + ", ".join(f"{k} {v:.1f}" for k, v in summary["seconds"].items()))
    if str(summary["tracking_uri"]).startswith("sqlite:"):
        lines.append(f"MLflow UI:     {tracking.ui_command(summary['tracking_uri'])}")
    return "\n".join(lines)


{% if cookiecutter.responsible_ai -%}
def responsible_ai_args(section: dict | None) -> list[str]:
    """The evaluate options of config/<env>.yml's responsible_ai section, as the Azure ML pipeline passes them."""
    section = section or {"mode": "disabled"}
    return [f"--rai-{key.replace('_', '-')}={value}" for key, value in section.items()]


{% endif -%}
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Run prep -> train -> evaluate -> register locally. Unknown options go to the train step."
    )
    p.add_argument("--scenario", default=SCENARIO, help="scenario package (default: %(default)s)")
    p.add_argument("--data", type=Path, default=None, help="raw data (default: the shipped dataset)")
    p.add_argument("--outputs", type=Path, default=PROJECT_ROOT / "outputs", help="where step outputs go")
    p.add_argument("--min-score", type=float, default=evaluate.DEFAULT_MIN_SCORE)
    p.add_argument("--min-improvement", type=float, default=evaluate.DEFAULT_MIN_IMPROVEMENT)
{%- if cookiecutter.responsible_ai %}
    p.add_argument(
        "--environment", default="dev", help="config/<env>.yml whose responsible_ai gate applies (default: %(default)s)"
    )
{%- endif %}
    return p


def main(argv: list[str] | None = None) -> int:
    args, train_args = parser().parse_known_args(argv)
    evaluate_args = ["--min-score", str(args.min_score), "--min-improvement", str(args.min_improvement)]
{%- if cookiecutter.responsible_ai %}
    evaluate_args += responsible_ai_args(load_config(args.environment).get("responsible_ai"))
{%- endif %}
    summary = run_loop(args.scenario, args.data, args.outputs, evaluate_args, train_args)
    return 0 if summary else 1


if __name__ == "__main__":
    raise SystemExit(main())
