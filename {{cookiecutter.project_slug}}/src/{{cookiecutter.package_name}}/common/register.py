"""Register step: register the challenger and move the ``champion`` alias, only if the verdict is promote.

A rejected challenger is not an error: the step records why nothing was registered and exits 0,
so a pipeline run that ends with "champion kept" is a successful run.

    python -m {{ cookiecutter.package_name }}.common.register --decision outputs/decision --output outputs/registration
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import artifacts, gate, registry, tracking
{%- if cookiecutter.responsible_ai %}

# The Azure ML Responsible AI insight constructor reads <model_info_path>/model_info.json, {"id": "<name>:<version>"}
# (Azure/azureml-assets assets/responsibleai/tabular/components/src/rai_component_utilities.py fetch_model_id).
MODEL_INFO_FILE = "model_info.json"


def write_model_info(record: dict, folder: Path) -> None:
    """The model the dashboard examines: the new champion, or the kept one when nothing was registered."""
    version = record.get("version") or record.get("champion_version")
    if version:
        artifacts.write_json(Path(folder) / MODEL_INFO_FILE, {"id": f"{record['model_name']}:{version}"})
{%- endif %}


def register(decision_dir: Path, output: Path, alias: str = registry.CHAMPION) -> dict:
    decision = artifacts.read_json(Path(decision_dir) / artifacts.DECISION_FILE)
    name = decision["model_name"]
    if decision["verdict"] != gate.PROMOTE:
        kept = decision["champion"]["version"] if decision["champion"] else None
        record = {"registered": False, "model_name": name, "reason": decision["reason"], "champion_version": kept}
        if kept:
            record["model_uri"] = registry.serving_uri(name, kept, alias)
    else:
        metric = decision["metric"]
        tags = {
            "gate_metric": metric,
            f"test_{metric}": str(decision["challenger"]["metrics"][metric]),
            "training_run_id": decision["challenger"]["run_id"],
        }
        champion, previous = registry.promote(decision["challenger"]["model_uri"], name, tags, alias)
        record = {
            "registered": True,
            "model_name": name,
            "version": champion.version,
            "alias": alias,
            "model_uri": registry.serving_uri(name, champion.version, alias),
            "previous_champion_version": previous.version if previous else None,
            "reason": decision["reason"],
        }
    artifacts.write_json(Path(output) / artifacts.REGISTRATION_FILE, record)
    return record


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Register the challenger when the decision says promote.")
    p.add_argument("--decision", type=Path, required=True, help="evaluate output folder (decision.json)")
    p.add_argument("--output", type=Path, required=True, help="folder for registration.json")
    p.add_argument("--alias", default=registry.CHAMPION, help="registry alias of the serving model")
{%- if cookiecutter.responsible_ai %}
    p.add_argument("--model-info", type=Path, help="folder for model_info.json (the Responsible AI dashboard's model)")
{%- endif %}
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    decision = artifacts.read_json(args.decision / artifacts.DECISION_FILE)
    tracking.configure(experiment=decision["model_name"])
    record = register(args.decision, args.output, args.alias)
{%- if cookiecutter.responsible_ai %}
    if args.model_info:
        write_model_info(record, args.model_info)
{%- endif %}
    if record["registered"]:
        print(f"register: {record['model_name']} version {record['version']} is now {record['alias']!r}")
    else:
        print(f"register: nothing registered, champion stays version {record['champion_version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
