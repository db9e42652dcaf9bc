"""Extract the inputs and outputs of the Responsible AI components Azure ML publishes in its `azureml` registry,
for the contract that checks the generated RAI pipeline step (tests/contracts/responsible_ai_step.py).

Source: Azure/azureml-assets, `assets/responsibleai/<kind>/components/<component>/spec.yaml` (the specs the registry
publishes from). Run by hand, never in CI, against a clone (any commit; a shallow clone is enough):

    git clone --depth 1 https://github.com/Azure/azureml-assets /tmp/assets
    python tests/tools/extract_azureml_rai_components.py /tmp/assets tests/data/azureml_rai_components.json

Output: {"source", "commit", "components": {name: {"version", "path", "inputs": {name: {"type", "required"}},
"outputs": [name...]}}}. An input is required when it is neither `optional: true` nor has a `default`
(azure-ai-ml reports such inputs as missing when the pipeline does not bind them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml

ROOT = "assets/responsibleai"


def read_specs(checkout: Path) -> dict[str, dict]:
    components = {}
    for spec in sorted((checkout / ROOT).glob("*/components/*/spec.yaml")):
        raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
        inputs = {
            name: {
                "type": (body or {}).get("type"),
                "required": not (body or {}).get("optional", False) and "default" not in (body or {}),
            }
            for name, body in (raw.get("inputs") or {}).items()
        }
        components[raw["name"]] = {
            "version": str(raw["version"]),
            "path": spec.relative_to(checkout).as_posix(),
            "inputs": inputs,
            "outputs": sorted(raw.get("outputs") or {}),
        }
    return components


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkout", type=Path, help="clone of Azure/azureml-assets")
    p.add_argument("output", type=Path)
    args = p.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(args.checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    payload = {
        "source": "Azure/azureml-assets assets/responsibleai/*/components/*/spec.yaml",
        "commit": commit,
        "note": "The vision and text insight components were removed upstream (Azure/azureml-assets#4376, 2025-08-06).",
        "components": read_specs(args.checkout),
    }
    args.output.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(payload['components'])} components from {commit} -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
