"""The Responsible AI step of the training pipeline resolves: registry components, inputs, outputs, the model.

azure-ai-ml loads a pipeline whose registry component is misspelled, whose input name the component lacks or
whose `${{parent.jobs.<job>.outputs.<name>}}` names no such output (tests/NOTES: `job._validate()` does not follow
these references, and a registry component is only fetched at submission). So, for every job of
`mlops/azureml/train/pipeline.yml` whose component is `azureml://registries/azureml/components/<name>/versions/<v>`:
- the component exists in Azure ML's published Responsible AI specs, at that version
  (tests/data/azureml_rai_components.json, from Azure/azureml-assets assets/responsibleai/*/components/*/spec.yaml);
- every input bound exists, every required input (no default, not optional) is bound;
- every `${{parent.jobs.X.outputs.Y}}` of the pipeline names a job X with an output Y (a local component's
  `outputs:` or the registry spec's);
- the insight constructor examines the registered model: its `model_info_path` is the register step's
  `model_info` output (read as `<folder>/model_info.json`, key `id` = name:version: rai_component_utilities.py
  `fetch_model_id` in the same repository), and its train/test data are job outputs (MLTable folders), not raw files;
- the gather step receives the constructor's dashboard and every insight the pipeline computes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from contracts import Contract

DATA = Path(__file__).resolve().parents[1] / "data" / "azureml_rai_components.json"
# The feature store's retrieval step (feature_store bakes) is the other azureml registry component the pipeline uses:
# Azure/azureml-assets assets/featurestore/components/feature_retrieval/spec.yaml, extracted the same way.
FEATURE_RETRIEVAL_DATA = DATA.with_name("azureml_feature_retrieval.json")
REGISTRY = re.compile(r"^azureml://registries/azureml/components/(?P<name>[^/]+)/versions/(?P<version>[^/]+)$")
OUTPUT_REF = re.compile(r"\$\{\{\s*parent\.jobs\.(?P<job>[\w-]+)\.outputs\.(?P<output>[\w-]+)\s*\}\}")
PIPELINE = "mlops/azureml/train/pipeline.yml"
CONSTRUCTOR = "rai_tabular_insight_constructor"
GATHER = "rai_tabular_insight_gather"


def _components() -> dict:
    published = {}
    for data in (DATA, FEATURE_RETRIEVAL_DATA):
        published.update(json.loads(data.read_text(encoding="utf-8"))["components"])
    return published


def _load(path: Path) -> dict:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}  # the YAML validator reports it
    return document if isinstance(document, dict) else {}


def _line(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return 1


def _outputs(root: Path, pipeline: Path, job: dict, published: dict) -> set[str] | None:
    """Output names of a job's component; None when the component cannot be read here (another contract's case)."""
    component = str(job.get("component", ""))
    found = REGISTRY.match(component)
    if found:
        spec = published.get(found["name"])
        return set(spec["outputs"]) if spec else None
    local = (pipeline.parent / component.removeprefix("file:")).resolve()
    if not local.is_file() or root.resolve() not in local.parents:
        return None
    return set(_load(local).get("outputs") or {}) | set(job.get("outputs") or {})


def check(root: Path, files: list[str]) -> list[str]:
    if PIPELINE not in files:
        return []
    pipeline = root / PIPELINE
    text = pipeline.read_text(encoding="utf-8")
    jobs = _load(pipeline).get("jobs") or {}
    published = _components()
    problems = []

    def say(needle: str, message: str) -> None:
        problems.append(f"{PIPELINE}:{_line(text, needle)}: {message}")

    outputs = {name: _outputs(root, pipeline, job or {}, published) for name, job in jobs.items()}
    for name, job in jobs.items():
        for value in _strings(job or {}):
            for ref in OUTPUT_REF.finditer(value):
                if ref["job"] not in jobs:
                    say(ref.group(0), f"job {name!r} reads {ref.group(0)}: there is no job {ref['job']!r}")
                elif outputs[ref["job"]] is not None and ref["output"] not in outputs[ref["job"]]:
                    say(
                        ref.group(0),
                        f"job {name!r} reads {ref.group(0)}: {ref['job']!r} has no output {ref['output']!r}",
                    )

    by_component = {}
    for name, job in jobs.items():
        found = REGISTRY.match(str((job or {}).get("component", "")))
        if not found:
            continue
        spec = published.get(found["name"])
        component = str(job["component"])
        if spec is None:
            say(
                component,
                f"job {name!r}: {found['name']!r} is not a component the azureml registry publishes (tests/data)",
            )
            continue
        if found["version"] != spec["version"]:
            say(
                component,
                f"job {name!r}: {found['name']} version {found['version']} is not the published {spec['version']}",
            )
        bound = set(job.get("inputs") or {})
        for unknown in sorted(bound - set(spec["inputs"])):
            say(component, f"job {name!r}: {found['name']} has no input {unknown!r}")
        for missing in sorted(i for i, body in spec["inputs"].items() if body["required"] and i not in bound):
            say(component, f"job {name!r}: required input {missing!r} of {found['name']} is not bound")
        by_component.setdefault(found["name"], []).append((name, job))

    for name, job in by_component.get(CONSTRUCTOR, []):
        inputs = job.get("inputs") or {}
        model = str(inputs.get("model_info_path", inputs.get("model_input", "")))
        source = OUTPUT_REF.search(model)
        if not source or source["job"] != "register" or source["output"] != "model_info":
            say(
                CONSTRUCTOR,
                f"job {name!r} must examine the registered model: bind model_info_path to "
                "${{parent.jobs.register.outputs.model_info}}",
            )
        for data in ("train_dataset", "test_dataset"):
            if not OUTPUT_REF.search(str(inputs.get(data, ""))):
                say(CONSTRUCTOR, f"job {name!r}: {data} must be a job output holding an MLTable folder")
    constructors = {name for name, _ in by_component.get(CONSTRUCTOR, [])}
    insights = {
        name
        for component, found in by_component.items()
        if component.startswith("rai_") and component not in (CONSTRUCTOR, GATHER, "rai_tabular_score_card")
        for name, _ in found
    }
    for name, job in by_component.get(GATHER, []):
        inputs = job.get("inputs") or {}
        fed = {ref["job"] for value in _strings(inputs) for ref in OUTPUT_REF.finditer(value)}
        if not OUTPUT_REF.search(str(inputs.get("constructor", ""))) or not fed & constructors:
            say(GATHER, f"job {name!r}: constructor must be the insight constructor's rai_insights_dashboard")
        for missing in sorted(insights - fed):
            say(
                GATHER, f"job {name!r} does not gather the insight of job {missing!r}: it is missing from the dashboard"
            )
    # Only Responsible AI components need a gather step (the feature store's retrieval is a registry component too).
    if any(component.startswith("rai_") for component in by_component) and not by_component.get(GATHER):
        say("rai_", "Responsible AI insights are computed but never gathered into a dashboard")
    return problems


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


_REGISTER = """\
type: command
name: register_if_promoted
outputs:
  registration: {type: uri_folder}
  model_info: {type: uri_folder}
"""
_TABLES = "type: command\nname: t\noutputs:\n  train_data: {type: uri_folder}\n  test_data: {type: uri_folder}\n"
_VALID = """\
type: pipeline
jobs:
  register:
    type: command
    component: ../components/register.yml
  rai_tables:
    type: command
    component: ../components/rai_tables.yml
  rai_insights:
    type: command
    component: azureml://registries/azureml/components/rai_tabular_insight_constructor/versions/0.22.0
    inputs:
      title: t
      task_type: classification
      model_info_path: ${{parent.jobs.register.outputs.model_info}}
      train_dataset: ${{parent.jobs.rai_tables.outputs.train_data}}
      test_dataset: ${{parent.jobs.rai_tables.outputs.test_data}}
      target_column_name: y
  rai_explanation:
    type: command
    component: azureml://registries/azureml/components/rai_tabular_explanation/versions/0.22.0
    inputs:
      comment: c
      rai_insights_dashboard: ${{parent.jobs.rai_insights.outputs.rai_insights_dashboard}}
  rai_gather:
    type: command
    component: azureml://registries/azureml/components/rai_tabular_insight_gather/versions/0.22.0
    inputs:
      constructor: ${{parent.jobs.rai_insights.outputs.rai_insights_dashboard}}
      insight_1: ${{parent.jobs.rai_explanation.outputs.explanation}}
"""
# The model from the training output instead of the registry, a misspelled output, an explanation never gathered.
_BROKEN = (
    _VALID.replace("parent.jobs.register.outputs.model_info", "parent.jobs.rai_tables.outputs.train_data")
    .replace("outputs.rai_insights_dashboard}}\n  rai_gather", "outputs.dashboard}}\n  rai_gather")
    .replace("      insight_1: ${{parent.jobs.rai_explanation.outputs.explanation}}\n", "")
)
_FILES = {"mlops/azureml/components/register.yml": _REGISTER, "mlops/azureml/components/rai_tables.yml": _TABLES}

CONTRACTS = (
    Contract(
        name="responsible AI pipeline step",
        patterns=(PIPELINE,),
        check=check,
        context=("mlops/azureml/components/*.yml",),
        source="Azure/azureml-assets assets/responsibleai (tests/data/azureml_rai_components.json)",
        broken={PIPELINE: _BROKEN, **_FILES},
        valid={PIPELINE: _VALID, **_FILES},
    ),
)
