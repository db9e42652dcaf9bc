"""Azure ML semantics beyond the loaders: what the monitor reads exists, in the shape its signals need.

azure-ai-ml's loaders accept a monitor whose training reference is a raw CSV without a target column, whose
prediction-drift reference has no prediction column, or whose data asset exists only in dev: Azure ML fails
those at the monitor's first run. These checks read the monitor with the files that feed it (ci/deploy.sh,
config/<env>.yml, the deployment YAML, the data and component specs) and apply the rules below, each cited.

Sources (read 2026-11-30):
- Azure/azureml-examples cli/monitoring/advanced-model-monitoring.yaml and
  model-monitoring-with-collected-data.yaml: training references are `mltable` data assets with
  `data_column_names: {target_column: ...}`; production data that Azure ML did not collect itself (uri_folder)
  has a `pre_processing_component`.
- Azure/azureml-examples cli/monitoring/README.md, scenario 4 (batch endpoints, data not collected by the model
  data collector): "you need to provide a custom preprocessing component to tabularize the data into MLTable
  format", registered before the monitor is created.
- MicrosoftDocs/azure-docs articles/machine-learning/concept-model-monitoring.md, table "Monitoring signals and
  metrics": prediction drift's baseline is "Recent past production data or validation data"; data drift and data
  quality compare with "Recent past production data or training data".
- azure-ai-ml 1.35 (what the ml CLI extension loads schedules with): ReferenceData rejects `target_column_name`
  (TypeError at load, measured); `data_column_names` is the field.
- Azure/azure-cli-extensions src/machinelearningservices/azext_mlv2/manual/_params/_schedule_params.py:
  `ml schedule update` has no --file; custom/schedule.py: `ml schedule create --file` upserts.
- Same repository, custom/batch_endpoint.py: `ml batch-endpoint invoke --output-path azureml://datastores/<ds>/
  paths/<path>` is where the job writes.
- Model performance and feature attribution drift (read 2026-11-30): concept-model-monitoring.md, same table:
  feature attribution drift reads "Production data: Model inputs and outputs" against "Training data (required)";
  model performance reads "Production data: Model outputs" against "Ground truth data (required)".
  how-to-monitor-model-performance.md ("Set up model performance monitoring"): the outputs and the ground truth
  each need "unique id for each row" to be joined (`data_column_names: prediction/actual, correlation_id`); for
  data the collector gathered, "the common column is `correlationid`". Its YAML example (`data_context: actuals`,
  no production `input_data`, `tabular_classification:` thresholds) does NOT load with azure-ai-ml 1.35 (measured):
  the enum is MonitorDatasetContext (`ground_truth`), ProductionData requires input_data, and the thresholds
  are `classification: {accuracy, precision, recall}` (azure/ai/ml/_schema/monitoring/thresholds.py).
  azure-ai-ml 1.35 _schema/monitoring/signals.py: feature attribution drift's production_data is a LIST
  (FADProductionDataSchema, columns prediction / prediction_probability / correlation_id); Azure/azureml-examples
  cli/monitoring/advanced-model-monitoring.yaml leaves it out for an online deployment ("Azure Machine Learning
  model monitoring will automatically join both model_inputs and model_outputs").
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from contracts import Contract

MONITOR = "mlops/azureml/monitoring/monitor.yml"
DEPLOY = "ci/deploy.sh"
DRIFT = "ci/drift.sh"
SOURCE = (
    "Azure/azureml-examples cli/monitoring (YAML and README), MicrosoftDocs/azure-docs concept-model-monitoring.md, "
    "azure-ai-ml 1.35, Azure/azure-cli-extensions src/machinelearningservices/azext_mlv2"
)
DATASTORE_URI = re.compile(r"azureml://datastores/[^/\s\"']+/paths/[^\s\"']*")
ASSET = re.compile(r"^azureml:([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)$")


# libyaml's loader when PyYAML has it: the checks run on every bake.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(text: str):
    return yaml.load(text, Loader=_LOADER)


def _yaml(path: Path) -> dict:
    try:
        loaded = _load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _line(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _script(root: Path, relative: str) -> str:
    path = root / relative
    if not path.is_file():
        return ""
    # Join continued lines so that one call is one line; comments call nothing.
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    return re.sub(r"^\s*#.*$", "", text, flags=re.M)


def _signals(monitor: dict) -> dict[str, dict]:
    signals = (monitor.get("create_monitor") or {}).get("monitoring_signals") or {}
    return {name: signal for name, signal in signals.items() if isinstance(signal, dict)}


def _productions(signal: dict) -> list[dict]:
    """production_data as a list: one mapping for most signals, a list of them for feature attribution drift."""
    production = signal.get("production_data") or []
    parts = production if isinstance(production, list) else [production]
    return [part for part in parts if isinstance(part, dict)]


class _Overrides:
    """Keys the deploy script overrides with --set when it applies the monitor; a $variable (a loop over
    signal names) matches any one segment."""

    def __init__(self, script: str) -> None:
        keys = re.findall(r"--set\s+\"?(create_monitor\.[A-Za-z0-9_.$]+)=", script)
        self.patterns = [re.compile(re.sub(r"\\\$\w+", r"[^.]+", re.escape(key)) + "$") for key in keys]

    def __contains__(self, key: str) -> bool:
        return any(pattern.match(key) for pattern in self.patterns)


# --- Signals: required fields and allowed references ---------------------------------------------------------


def _check_signal(name: str, signal: dict, target: dict, text: str, id_columns: set[str]) -> list[str]:
    where = f"{MONITOR}:{_line(text, name + ':')}"
    kind = signal.get("type")
    reference = signal.get("reference_data") or {}
    data = reference.get("input_data") or {}
    context = reference.get("data_context")
    columns = reference.get("data_column_names") or {}
    problems = []
    if "target_column_name" in reference:
        problems.append(f"{where}: {name}: target_column_name is rejected by azure-ai-ml; use data_column_names")
    signal_needs_reference = kind in ("data_drift", "data_quality", "prediction_drift") and not reference
    if signal_needs_reference and "endpoint_deployment_id" not in target:
        problems.append(f"{where}: {name}: no reference_data (only online deployments have a default one)")
    if context == "training":
        if data.get("type") != "mltable":
            problems.append(
                f"{where}: {name}: a training reference must be an mltable data asset, not {data.get('type')}"
            )
        if kind == "data_drift" and not columns.get("target_column"):
            problems.append(f"{where}: {name}: training reference without data_column_names.target_column")
        features = signal.get("features")
        if features == "all_features":
            problems.append(
                f"{where}: {name}: all_features on a training table compares its id and label too: list them"
            )
        excluded = {columns.get("target_column"), *id_columns} - {None}
        for column in sorted(excluded & set(features if isinstance(features, list) else [])):
            problems.append(f"{where}: {name}: {column} (the target or an id) is listed as a feature")
    if kind == "prediction_drift" and reference:
        # Baseline: recent past production outputs, or validation/test data carrying the prediction column.
        if context == "training" or (context in ("validation", "test") and not columns.get("prediction")):
            problems.append(
                f"{where}: {name}: prediction drift needs a reference with the production prediction columns "
                f"(model_outputs, or validation data with data_column_names.prediction), not {context}"
            )
        elif context not in ("model_outputs", "validation", "test"):
            problems.append(f"{where}: {name}: prediction drift reference has data_context {context}")
    if kind == "feature_attribution_drift":
        problems.extend(_check_attribution(where, name, signal, target, context, columns))
    if kind == "model_performance":
        problems.extend(_check_performance(where, name, signal, target))
    online = "endpoint_deployment_id" in target
    watched = ("data_drift", "data_quality", "prediction_drift", "feature_attribution_drift", "model_performance")
    if not online and kind in watched and not _productions(signal):
        problems.append(f"{where}: {name}: no production_data (nothing is collected for a batch deployment)")
    for role, part in [*(("production_data", p) for p in _productions(signal)), ("reference_data", reference)]:
        if (part.get("input_data") or {}).get("type") == "uri_folder" and not part.get("pre_processing_component"):
            problems.append(f"{where}: {name}: {role} is a folder of files without a pre_processing_component")
    return problems


def _check_attribution(where: str, name: str, signal: dict, target: dict, context, columns: dict) -> list[str]:
    """Training data with its target, against production inputs and outputs joined on a correlation id."""
    problems = []
    if context != "training" or not columns.get("target_column"):
        problems.append(
            f"{where}: {name}: feature attribution drift needs the training data with "
            f"data_column_names.target_column as reference, not {context}"
        )
    productions = _productions(signal)
    if productions:
        contexts = {part.get("data_context") for part in productions}
        if len(productions) > 1 and not {"model_inputs", "model_outputs"} <= contexts:
            problems.append(f"{where}: {name}: separate production data must be model_inputs and model_outputs")
        if len(productions) > 1 and any(
            not (p.get("data_column_names") or {}).get("correlation_id") for p in productions
        ):
            problems.append(f"{where}: {name}: inputs and outputs need data_column_names.correlation_id to be joined")
    elif "endpoint_deployment_id" not in target:
        problems.append(f"{where}: {name}: no production_data (only an online deployment's collected data is default)")
    return problems


def _check_performance(where: str, name: str, signal: dict, target: dict) -> list[str]:
    """Model outputs joined to ground truth on a unique id per row."""
    problems = []
    reference = signal.get("reference_data") or {}
    truth = reference.get("data_column_names") or {}
    if reference.get("data_context") != "ground_truth":
        problems.append(
            f"{where}: {name}: the reference of model performance is ground_truth, not {reference.get('data_context')}"
        )
    for column in ("actual", "correlation_id"):
        if not truth.get(column):
            problems.append(f"{where}: {name}: ground truth without data_column_names.{column}")
    productions = _productions(signal)
    if len(productions) != 1 or not productions[0].get("input_data"):
        problems.append(f"{where}: {name}: one production_data with input_data (azure-ai-ml requires it)")
        return problems
    production = productions[0]
    outputs = production.get("data_column_names") or {}
    if production.get("data_context") != "model_outputs":
        problems.append(f"{where}: {name}: production data of model performance is model_outputs")
    for column in ("prediction", "correlation_id"):
        if not outputs.get(column):
            problems.append(f"{where}: {name}: model outputs without data_column_names.{column}")
    collected = str((production.get("input_data") or {}).get("path", "")).endswith("-model_outputs:1")
    if "endpoint_deployment_id" in target and collected and outputs.get("correlation_id") != "correlationid":
        problems.append(
            f"{where}: {name}: the data collector's id column is correlationid, not {outputs.get('correlation_id')}"
        )
    thresholds = signal.get("metric_thresholds") or {}
    if target.get("ml_task") == "classification" and not thresholds.get("classification"):
        problems.append(f"{where}: {name}: a classification target needs metric_thresholds.classification")
    return problems


def _id_columns(root: Path) -> set[str]:
    """The id column of a tabular data contract (src/<package>/tabular/contract.yml), if the project has one."""
    return {
        str(_yaml(path).get("id_column"))
        for path in (root / "src").glob("*/tabular/contract.yml")
        if _yaml(path).get("id_column")
    }


def check_monitor_signals(root: Path, files: list[str]) -> list[str]:
    id_columns = _id_columns(root)
    problems = []
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        monitor = _load(text) or {}
        target = (monitor.get("create_monitor") or {}).get("monitoring_target") or {}
        for name, signal in _signals(monitor).items():
            problems.extend(_check_signal(name, signal, target, text, id_columns))
    return problems


# --- Everything the monitor reads exists in the environment it runs in ------------------------------------------


def _specs(root: Path, kind: str) -> dict[str, str]:
    """name:version -> relative path of every data or component spec under mlops/azureml."""
    found = {}
    for path in sorted((root / "mlops/azureml").rglob("*.yml")):
        head = path.read_text(encoding="utf-8")[:300].lower()
        if kind not in head:  # the $schema line comes first: parse only the specs of this kind
            continue
        spec = _yaml(path)
        if kind in str(spec.get("$schema", "")).lower() and spec.get("name"):
            found[f"{spec['name']}:{spec.get('version', '')}"] = path.relative_to(root).as_posix()
    return found


def _registered_by(script: str, command: str, spec: str) -> bool:
    """Does the script run `az ml <command> create` on this spec (directly or through a variable)?"""
    variables = {m.group(1) for m in re.finditer(rf"(\w+)=[\"']?{re.escape(spec)}[\"']?(?:\s|$)", script)}
    for call in re.findall(rf"az ml {command} create [^\n]*", script):
        if spec in call or any(f"${v}" in call or f"${{{v}}}" in call for v in variables):
            return True
    return False


def check_monitor_inputs_exist(root: Path, files: list[str]) -> list[str]:
    script = _script(root, DEPLOY)
    problems = []
    if not script:
        return [f"{DEPLOY}:1: no deploy script applies the monitor"]
    updates = re.findall(r"az ml schedule update [^\n]*--file", script)
    if updates:
        problems.append(f"{DEPLOY}:{_line(script, updates[0])}: `az ml schedule update` has no --file: use create")
    for relative in files:  # each monitor itself: another schedule (the drift report's) is not the monitor
        if not _registered_by(script, "schedule", relative):
            problems.append(
                f"{DEPLOY}:1: the deploy script never creates the monitor {relative} (az ml schedule create --file)"
            )
    overridden = _Overrides(script)
    data_specs, component_specs = _specs(root, "data.schema"), _specs(root, "component.schema")
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        monitor = _load(text) or {}
        target = (monitor.get("create_monitor") or {}).get("monitoring_target") or {}
        for key in ("model_id", "endpoint_deployment_id"):
            if key in target and f"create_monitor.monitoring_target.{key}" not in overridden:
                problems.append(
                    f"{relative}:{_line(text, key)}: {key} is pinned to {target[key]}: "
                    f"{DEPLOY} must set what it deployed (--set create_monitor.monitoring_target.{key}=...)"
                )
        for name, signal in _signals(monitor).items():
            parts = [("production_data", p) for p in _productions(signal)]
            for role, part in [*parts, ("reference_data", signal.get("reference_data") or {})]:
                path = str((part.get("input_data") or {}).get("path", ""))
                key = f"create_monitor.monitoring_signals.{name}.{role}.input_data.path"
                asset = ASSET.match(path)
                if asset and key not in overridden:
                    spec = data_specs.get(f"{asset[1]}:{asset[2]}")
                    if not spec or not _registered_by(script, "data", spec):
                        problems.append(
                            f"{relative}:{_line(text, path)}: {name}.{role} reads data asset {asset[1]}:{asset[2]}, "
                            f"which {DEPLOY} does not register (prod never trains: it must exist in every workspace)"
                        )
                component = ASSET.match(str(part.get("pre_processing_component", "")))
                if component:
                    spec = component_specs.get(f"{component[1]}:{component[2]}")
                    if not spec or not _registered_by(script, "component", spec):
                        problems.append(
                            f"{relative}:{_line(text, component[0])}: {name}.{role} uses component "
                            f"{component[1]}:{component[2]}, which {DEPLOY} does not register"
                        )
    return problems


# --- Names agree across the deployment YAML, config/<env>.yml and CI -------------------------------------------


def check_names_agree(root: Path, files: list[str]) -> list[str]:
    config = _yaml(root / "config/dev.yml").get("deployment") or {}
    endpoint_name = config.get("endpoint_name")
    mode = config.get("mode", "online")
    folder = f"mlops/azureml/deploy/{mode}"
    endpoint = _yaml(root / folder / "endpoint.yml")
    deployment = _yaml(root / folder / "deployment.yml")
    problems = []
    if endpoint.get("name") != endpoint_name:
        problems.append(f"{folder}/endpoint.yml:1: name {endpoint.get('name')} is not config/dev.yml's {endpoint_name}")
    if deployment and deployment.get("endpoint_name") != endpoint_name:
        problems.append(
            f"{folder}/deployment.yml:1: endpoint_name {deployment.get('endpoint_name')} != {endpoint_name}"
        )
    script = _script(root, DEPLOY)
    if script and "deployment.endpoint_name" not in script:
        problems.append(f"{DEPLOY}:1: does not take the endpoint name from config/<env>.yml (deployment.endpoint_name)")
    # The YAML files name dev's endpoint: a call that applies them without naming the environment's endpoint
    # would create or change dev's name in every workspace (--name / --endpoint-name override the file).
    for call in re.findall(r"az ml (?:online|batch)-endpoint (?:create|update) [^\n]*--file[^\n]*", script):
        if "--name" not in call:
            problems.append(f"{DEPLOY}:{_line(script, call)}: applies {folder}/endpoint.yml without --name")
    for call in re.findall(r"az ml (?:online|batch)-deployment (?:create|update) [^\n]*--file[^\n]*", script):
        if "--endpoint-name" not in call:
            problems.append(f"{DEPLOY}:{_line(script, call)}: applies a deployment without --endpoint-name")
    model = re.match(r"azureml:([A-Za-z0-9_.-]+)", str(deployment.get("model", "")))
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        target = ((_load(text) or {}).get("create_monitor") or {}).get("monitoring_target") or {}
        deployment_id = str(target.get("endpoint_deployment_id", ""))
        if deployment_id and deployment_id.split(":")[1:2] != [endpoint_name]:
            problems.append(f"{relative}:{_line(text, deployment_id)}: watches {deployment_id}, not {endpoint_name}")
        model_id = re.match(r"azureml:([A-Za-z0-9_.-]+)", str(target.get("model_id", "")))
        if model_id and model and model_id[1] != model[1]:
            problems.append(f"{relative}:{_line(text, model_id[0])}: watches model {model_id[1]}, deployed: {model[1]}")
    return problems


# --- Every path the monitor or a later step reads is written by an earlier one ---------------------------------


def _resolve(script: str) -> str:
    """Replace $name / ${name} with the value of simple assignments (name="literal $other")."""
    values = {}
    for name, value in re.findall(r"^\s*(?:local\s+)?(\w+)=\"([^\"]*)\"", script, flags=re.M):
        values.setdefault(name, re.sub(r"\$\([^)]*\)", "*", value))
    for _ in range(4):
        for name, value in values.items():
            script = script.replace("${" + name + "}", value).replace("$" + name + "/", value + "/")
            script = re.sub(rf"\${name}(?![\w])", lambda _m, v=value: v, script)
    return script


def _flag_values(script: str, command: str, flag: str) -> list[str]:
    values = []
    for call in re.findall(rf"{command} [^\n]*", script):
        values.extend(v.strip("\"'") for v in re.findall(rf"{flag}\s+(\"[^\"]*\"|\S+)", call))
    return values


def check_paths_written(root: Path, files: list[str]) -> list[str]:
    script = _resolve(_script(root, DEPLOY))
    outputs = _flag_values(script, "az ml batch-endpoint invoke", "--output-path")
    inputs = _flag_values(script, "az ml batch-endpoint invoke", "--input")
    uploads = _flag_values(script, "az storage blob upload-batch", "--destination-path")
    problems = []
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        for name, signal in _signals(_load(text) or {}).items():
            for production in _productions(signal):
                path = str((production.get("input_data") or {}).get("path", ""))
                if not DATASTORE_URI.fullmatch(path):
                    continue
                written = outputs if production.get("data_context") == "model_outputs" else inputs
                what = "--output-path" if written is outputs else "--input"
                if not any(value.startswith(path) for value in written):
                    problems.append(
                        f"{relative}:{_line(text, path)}: {name} reads {path}, but no batch-endpoint invoke in "
                        f"{DEPLOY} has {what} under it"
                    )
                if written is inputs:
                    folder = path.split("/paths/", 1)[1]
                    if not any(value.startswith(folder) for value in uploads):
                        problems.append(
                            f"{relative}:{_line(text, path)}: {name} reads {path}, but {DEPLOY} uploads nothing there"
                        )
                    drift = re.search(r"^prefix=\"([^\"]+)\"", _script(root, DRIFT), flags=re.M)
                    if drift and drift[1].rstrip("/") != folder.rstrip("/") and "batch" in drift[1]:
                        problems.append(f"{DRIFT}:1: downloads {drift[1]}, the monitor reads {folder}")
    return problems


# --- Examples ---------------------------------------------------------------------------------------------------

_CONFIG = "deployment:\n  mode: batch\n  endpoint_name: ep-dev\n"
_DEPLOYMENT = "name: champion\nendpoint_name: ep-dev\nmodel: azureml:m@latest\n"
_REFERENCE = (
    "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\n"
    "name: ref\nversion: '1'\ntype: mltable\npath: reference\n"
)
_COMPONENT = (
    "$schema: https://azuremlschemas.azureedge.net/latest/sparkComponent.schema.json\n"
    "type: spark\nname: prep\nversion: '1'\n"
)
_FOLDER = "azureml://datastores/workspaceblobstore/paths/batch/"


def _monitor(*, reference: str, production: str, target: str, features: str, prediction: str) -> str:
    return f"""create_monitor:
  monitoring_target:
    ml_task: classification
    {target}
  monitoring_signals:
    data_drift:
      type: data_drift
      production_data:
        input_data:
          path: {_FOLDER}inputs/
          type: uri_folder
        data_context: model_inputs
        {production}
      reference_data:
        input_data:
          {reference}
        data_context: training
        data_column_names:
          target_column: y
      features: {features}
    prediction_drift:
      type: prediction_drift
      production_data:
        input_data:
          path: {_FOLDER}predictions/
          type: uri_folder
        data_context: model_outputs
        {production}
      reference_data:
        input_data:
          path: {_FOLDER}predictions/
          type: uri_folder
        data_context: {prediction}
        {production}
"""


_VALID_DEPLOY = f"""#!/usr/bin/env bash
endpoint="$(setting "$env" deployment.endpoint_name)"
run="$(date -u +%Y/%m/%d)/1"
inputs="batch/inputs/$run"
az storage blob upload-batch --destination c --destination-path "$inputs" --source data
az ml batch-endpoint invoke --name "$endpoint" --input "azureml://datastores/workspaceblobstore/paths/$inputs/" \\
  --output-path "{_FOLDER}predictions/$run/"
reference=mlops/azureml/reference.yml
az ml data create --file "$reference" --path staged
az ml component create --file mlops/azureml/prep.yml
az ml schedule create --file mlops/azureml/monitoring/monitor.yml --set "create_monitor.monitoring_target.model_id=$m"
"""
_VALID = {
    MONITOR: _monitor(
        reference="path: azureml:ref:1\n          type: mltable",
        production="pre_processing_component: azureml:prep:1",
        target="model_id: azureml:m:1",
        features="[a, b]",
        prediction="model_outputs",
    ),
    DEPLOY: _VALID_DEPLOY,
    "config/dev.yml": _CONFIG,
    "mlops/azureml/deploy/batch/endpoint.yml": "name: ep-dev\n",
    "mlops/azureml/deploy/batch/deployment.yml": _DEPLOYMENT,
    "mlops/azureml/reference.yml": _REFERENCE,
    "mlops/azureml/prep.yml": _COMPONENT,
}
# The template's defects 5, 6 and 7 (issue 12) in miniature: a raw CSV reference of all columns, a
# prediction-drift reference of training data, folders without pre-processing, a pinned model, a data asset
# and a component nobody registers, and a batch job whose output goes nowhere the monitor reads.
_BROKEN = {
    MONITOR: _monitor(
        reference="path: azureml:training:1\n          type: uri_file",
        production="",
        target="model_id: azureml:other:1",
        features="all_features",
        prediction="training",
    ),
    DEPLOY: "#!/usr/bin/env bash\naz ml batch-endpoint create --file mlops/azureml/deploy/batch/endpoint.yml\n"
    "az ml batch-endpoint invoke --name ep --input data\n"
    "az ml schedule update --file mlops/azureml/monitoring/monitor.yml\n",
    "config/dev.yml": _CONFIG,
    "mlops/azureml/deploy/batch/endpoint.yml": "name: ep-other\n",
    "mlops/azureml/deploy/batch/deployment.yml": _DEPLOYMENT,
}

CONTRACTS = (
    Contract(
        name="azureml-monitor-signals",
        patterns=(MONITOR,),
        check=check_monitor_signals,
        context=("src/*/tabular/contract.yml",),
        source=SOURCE,
        broken=_BROKEN,
        valid=_VALID,
    ),
    Contract(
        name="azureml-monitor-inputs-exist",
        patterns=(MONITOR,),
        check=check_monitor_inputs_exist,
        context=(DEPLOY, "mlops/azureml/*.yml"),
        source=SOURCE,
        broken=_BROKEN,
        valid=_VALID,
    ),
    Contract(
        name="azureml-names-agree",
        patterns=(MONITOR,),
        check=check_names_agree,
        context=(DEPLOY, "config/*.yml", "mlops/azureml/deploy/*"),
        source=SOURCE,
        broken=_BROKEN,
        valid=_VALID,
    ),
    Contract(
        name="azureml-paths-written-before-read",
        patterns=(MONITOR,),
        check=check_paths_written,
        context=(DEPLOY, DRIFT),
        source=SOURCE,
        broken=_BROKEN,
        valid=_VALID,
    ),
)
