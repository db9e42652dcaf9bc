"""Extract the inputs and outputs of the feature retrieval component Azure ML publishes in its `azureml` registry,
for tests/test_feature_retrieval_pipeline.py (the training pipeline's retrieval step of feature_store bakes).

Source: Azure/azureml-assets, `assets/featurestore/components/feature_retrieval/spec.yaml` (the spec the registry
publishes from). Run by hand, never in CI, against a clone (a shallow clone is enough):

    git clone --depth 1 https://github.com/Azure/azureml-assets /tmp/assets
    python tests/tools/extract_azureml_feature_retrieval.py /tmp/assets tests/data/azureml_feature_retrieval.json

Without a git checkout (the file read through a code index), pass its commit with --commit.
Output: {"source", "commit", "components": {name: {"version", "path", "inputs": {name: {"type", "required",
"enum"?}}, "outputs": [name...]}}}. An input is required when it is neither `optional: true` nor has a `default`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml

ROOT = "assets/featurestore"


def read_specs(checkout: Path) -> dict[str, dict]:
    components = {}
    for spec in sorted((checkout / ROOT).glob("components/*/spec.yaml")):
        raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
        inputs = {}
        for name, body in (raw.get("inputs") or {}).items():
            body = body or {}
            inputs[name] = {
                "type": body.get("type"),
                "required": not body.get("optional", False) and "default" not in body,
            }
            if "enum" in body:
                inputs[name]["enum"] = list(body["enum"])
        components[raw["name"]] = {
            "version": str(raw["version"]),
            "type": raw.get("type"),
            "path": spec.relative_to(checkout).as_posix(),
            "inputs": inputs,
            "outputs": sorted(raw.get("outputs") or {}),
        }
    return components


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkout", type=Path, help="clone of Azure/azureml-assets")
    p.add_argument("output", type=Path)
    p.add_argument("--commit", help="commit of the spec when the checkout is not a git clone")
    args = p.parse_args()
    commit = args.commit or (
        subprocess.run(
            ["git", "-C", str(args.checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    payload = {
        "source": "Azure/azureml-assets assets/featurestore/components/*/spec.yaml",
        "commit": commit,
        "components": read_specs(args.checkout),
    }
    args.output.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(payload['components'])} components from {commit} -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
