"""Tabular pipeline: every ``${{parent...}}`` reference and step name resolves (azure-ai-ml does not check).

``load_job(...)._validate()`` accepts a pipeline whose step reads ``${{parent.jobs.trian.outputs.x}}``
or an output its component does not declare; the job only fails once submitted. This walks the
pipeline YAML and the component YAMLs it points to and lists every reference that does not resolve.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from azure.ai.ml import load_component, load_compute, load_data, load_environment, load_job

EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def _strings(value, where: str):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _component(pipeline_path: Path, job: dict) -> dict | None:
    reference = job.get("component")
    if isinstance(reference, dict):
        return reference
    if isinstance(reference, str) and not reference.startswith("azureml:"):
        path = pipeline_path.parent / reference.removeprefix("file:")
        return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return None  # a registered component: its interface is only known to the workspace


def _cycle(dependencies: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        if state.get(node) == 1:
            return [*path, node]
        if state.get(node) == 2:
            return []
        state[node] = 1
        for upstream in sorted(dependencies.get(node, ())):
            found = visit(upstream, [*path, node])
            if found:
                return found
        state[node] = 2
        return []

    for node in sorted(dependencies):
        found = visit(node, [])
        if found:
            return found
    return []


def pipeline_reference_problems(pipeline_path: Path) -> list[str]:
    pipeline_path = Path(pipeline_path)
    pipeline = yaml.safe_load(pipeline_path.read_text(encoding="utf-8"))
    parent_inputs = set(pipeline.get("inputs") or {})
    parent_outputs = set(pipeline.get("outputs") or {})
    jobs = pipeline.get("jobs") or {}
    problems: list[str] = []
    if not jobs:
        problems.append("pipeline has no jobs")
    components = {}
    for name, job in jobs.items():
        components[name] = _component(pipeline_path, job)
        reference = job.get("component")
        if components[name] is None and isinstance(reference, str) and not reference.startswith("azureml:"):
            problems.append(f"jobs.{name}.component: file {reference} not found")

    used_inputs, bound_outputs = set(), set()
    dependencies: dict[str, set[str]] = {name: set() for name in jobs}
    for name, job in jobs.items():
        component = components[name]
        if component is not None:
            declared_inputs = component.get("inputs") or {}
            declared_outputs = component.get("outputs") or {}
            for key in job.get("inputs") or {}:
                if key not in declared_inputs:
                    problems.append(f"jobs.{name}.inputs.{key}: not an input of its component")
            for key in job.get("outputs") or {}:
                if key not in declared_outputs:
                    problems.append(f"jobs.{name}.outputs.{key}: not an output of its component")
            for key, spec in declared_inputs.items():
                optional = isinstance(spec, dict) and ("default" in spec or spec.get("optional"))
                if not optional and key not in (job.get("inputs") or {}):
                    problems.append(f"jobs.{name}.inputs.{key}: required by its component but not given")
        for where, text in _strings({k: v for k, v in job.items() if k != "component"}, f"jobs.{name}"):
            for expression in EXPRESSION.findall(text):
                parts = expression.split(".")
                if parts[:2] == ["parent", "inputs"] and len(parts) == 3:
                    used_inputs.add(parts[2])
                    if parts[2] not in parent_inputs:
                        problems.append(f"{where}: {expression}: the pipeline has no input {parts[2]!r}")
                elif parts[:2] == ["parent", "outputs"] and len(parts) == 3:
                    bound_outputs.add(parts[2])
                    if parts[2] not in parent_outputs:
                        problems.append(f"{where}: {expression}: the pipeline has no output {parts[2]!r}")
                elif parts[:2] == ["parent", "jobs"] and len(parts) == 5 and parts[3] in ("inputs", "outputs"):
                    step, kind, port = parts[2], parts[3], parts[4]
                    if step not in jobs:
                        problems.append(f"{where}: {expression}: no step named {step!r} (steps: {sorted(jobs)})")
                        continue
                    if step == name:
                        problems.append(f"{where}: {expression}: a step cannot read its own {kind}")
                        continue
                    dependencies[name].add(step)
                    upstream = components.get(step)
                    if upstream is not None and port not in (upstream.get(kind) or {}):
                        problems.append(f"{where}: {expression}: step {step!r} has no {kind[:-1]} {port!r}")
                else:
                    problems.append(f"{where}: {expression}: not a pipeline reference this checker knows")
    problems += [f"inputs.{key}: declared but no step uses it" for key in sorted(parent_inputs - used_inputs)]
    problems += [f"outputs.{key}: declared but no step writes it" for key in sorted(parent_outputs - bound_outputs)]
    cycle = _cycle(dependencies)
    if cycle:
        problems.append("steps depend on each other in a cycle: " + " -> ".join(cycle))
    return problems


# ---------------------------------------------------------------------------- tests
COMBINATIONS = [
    {"infrastructure": infrastructure, "ci_platform": ci}
    for infrastructure in ("terraform", "bicep")
    for ci in ("github_actions", "azure_devops")
]
PIPELINE = Path("mlops/azureml/train/pipeline.yml")


@pytest.mark.parametrize("answers", COMBINATIONS, ids=lambda a: f"{a['infrastructure']}-{a['ci_platform']}")
def test_tabular_pipeline_references_resolve_and_assets_load(baked, answers):
    project = baked(ml_scenario="tabular", **answers)
    assert pipeline_reference_problems(project / PIPELINE) == []
    job = load_job(source=project / PIPELINE)
    assert job._validate().passed
    steps = list(job.jobs)
    assert steps[:4] == ["prep", "train", "evaluate", "register"]
    # responsible_ai (on by default): the dashboard's steps follow (tests/test_responsible_ai.py checks them)
    assert steps[4:] and all(name.startswith("rai_") for name in steps[4:])
    for path in sorted((project / "mlops/azureml/components").glob("*.yml")):
        assert load_component(source=path)._validate().passed, path
    assert load_environment(source=project / "mlops/azureml/environment/environment.yml").conda_file
    assert str(load_data(source=project / "mlops/azureml/data.yml").path).endswith("credit_default.csv")
    assert load_compute(source=project / "mlops/azureml/compute.yml").max_instances >= 1


@pytest.mark.parametrize("scenario", ["cv", "nlp"])
def test_deep_learning_pipelines_train_distributed_on_the_gpu_cluster(baked, scenario):
    project = baked(ml_scenario=scenario)
    assert pipeline_reference_problems(project / PIPELINE) == []
    job = load_job(source=project / PIPELINE)
    assert job._validate().passed
    train = job.jobs["train"]
    assert train.compute in ("gpu-cluster", "azureml:gpu-cluster")  # the SDK drops the prefix
    assert train.distribution.type == "pytorch"
    assert load_compute(source=project / "mlops/azureml/compute_gpu.yml").size.startswith("Standard_NC")
    environment = load_environment(source=project / "mlops/azureml/environment/environment.yml")
    assert "cuda" in environment.image
    pip = yaml.safe_load((project / "mlops/azureml/environment/conda.yml").read_text())["dependencies"][-1]["pip"]
    assert any(d.startswith("torch") for d in pip) and any(d.startswith("transformers") for d in pip)


def break_pipeline(project: Path, tmp_path: Path, edit) -> Path:
    """A copy of the baked mlops/azureml folder whose pipeline went through ``edit``."""
    copy = tmp_path / "azureml"
    shutil.copytree(project / "mlops/azureml", copy)
    path = copy / "train/pipeline.yml"
    pipeline = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(pipeline)
    path.write_text(yaml.safe_dump(pipeline, sort_keys=False), encoding="utf-8")
    return path


def _set(pipeline, step, port, value, kind="inputs"):
    pipeline["jobs"][step][kind][port] = value


BROKEN = {
    "misspelled step": (
        lambda p: _set(p, "train", "prepared", "${{parent.jobs.perp.outputs.prepared}}"),
        "no step named 'perp'",
    ),
    "unknown step output": (
        lambda p: _set(p, "evaluate", "trained", "${{parent.jobs.train.outputs.model}}"),
        "step 'train' has no output 'model'",
    ),
    "unknown pipeline input": (
        lambda p: _set(p, "prep", "raw_data", "${{parent.inputs.raw}}"),
        "the pipeline has no input 'raw'",
    ),
    "unknown pipeline output": (
        lambda p: _set(p, "register", "registration", "${{parent.outputs.reg}}", kind="outputs"),
        "the pipeline has no output 'reg'",
    ),
    "input the component lacks": (
        lambda p: _set(p, "train", "epochs", 3),
        "jobs.train.inputs.epochs: not an input of its component",
    ),
    "required input not given": (
        lambda p: p["jobs"]["evaluate"]["inputs"].pop("trained"),
        "jobs.evaluate.inputs.trained: required by its component but not given",
    ),
    "cycle": (
        lambda p: _set(p, "prep", "raw_data", "${{parent.jobs.register.outputs.registration}}"),
        "cycle",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_checker_catches_what_the_sdk_lets_through(baked, tmp_path, case):
    edit, message = BROKEN[case]
    path = break_pipeline(baked(), tmp_path, edit)
    problems = pipeline_reference_problems(path)
    assert any(message in problem for problem in problems), problems
