"""Train and test splits as MLTable folders, the input Azure ML's Responsible AI components read.

The insight constructor loads ``train_dataset`` and ``test_dataset`` as MLTable (or Parquet) and expects the
model's feature columns plus the target (Azure/azureml-assets assets/responsibleai/tabular/components/src/
rai_component_utilities.py ``load_dataset``). Each folder gets the split as CSV and an MLTable file that reads it.

    python -m {{ cookiecutter.package_name }}.tabular.rai_tables --prepared outputs/prepared \\
        --train-output outputs/rai/train --test-output outputs/rai/test
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..common import artifacts

# MLTable: a YAML file named MLTable; read_delimited_files turns the listed CSV into a table
# (https://learn.microsoft.com/azure/machine-learning/reference-yaml-mltable).
MLTABLE = """\
$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json
type: mltable
paths:
  - file: ./{name}.csv
transformations:
  - read_delimited_files:
      delimiter: ","
      header: all_files_same_headers
      encoding: utf8
"""


def write_table(prepared: Path, split: str, folder: Path) -> int:
    """One split (feature columns and target) as ``<folder>/<split>.csv`` plus the MLTable file; returns its rows."""
    features, target = artifacts.read_split(prepared, split)
    folder.mkdir(parents=True, exist_ok=True)
    features.assign(**{target.name: target}).to_csv(folder / f"{split}.csv", index=False)
    (folder / "MLTable").write_text(MLTABLE.format(name=split), encoding="utf-8")
    return len(target)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Write the train and test splits as MLTable folders.")
    p.add_argument("--prepared", type=Path, required=True, help="prep output folder")
    p.add_argument("--train-output", type=Path, required=True, help="folder for the train MLTable")
    p.add_argument("--test-output", type=Path, required=True, help="folder for the test MLTable")
    args = p.parse_args(argv)
    for split, folder in (("train", args.train_output), ("test", args.test_output)):
        rows = write_table(args.prepared, split, folder)
        print(f"rai_tables: {split} split ({rows} rows) -> {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
