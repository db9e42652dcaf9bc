"""Export the local champion (``models:/<name>@champion`` in ./mlflow.db) to a plain folder.

The scoring scripts read a model folder, as Azure ML hands them one; locally that folder is a
fresh copy of whichever version carries the champion alias (``make loop`` sets it).

    python -m {{ cookiecutter.package_name }}.serving.champion --output outputs/serving/model
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import mlflow

from ..common import registry, tracking
from ..config import PROJECT_ROOT
from ..{{ cookiecutter.ml_scenario }} import MODEL_NAME

DEFAULT_OUTPUT = PROJECT_ROOT / "outputs" / "serving" / "model"


def export(output: Path = DEFAULT_OUTPUT, name: str = MODEL_NAME, alias: str = registry.CHAMPION) -> Path:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    tracking.configure(experiment=name)
    champion = registry.find_champion(name, alias)
    if champion is None:
        raise SystemExit(f"no {alias!r} version of model {name!r} in the local registry yet: run `make loop` first")
    output = Path(output)
    if output.exists():
        shutil.rmtree(output)  # a previous champion's files must not mix with this one
    output.parent.mkdir(parents=True, exist_ok=True)
    mlflow.artifacts.download_artifacts(artifact_uri=champion.uri, dst_path=str(output))
    print(f"champion: {name} version {champion.version} -> {output}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy the local champion model into a folder for serving.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--name", default=MODEL_NAME)
    parser.add_argument("--alias", default=registry.CHAMPION)
    args = parser.parse_args(argv)
    export(args.output, args.name, args.alias)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
