"""The ci/ scripts' control flow, run against a fake `az` that records calls and plays Azure's answers.

No Azure is reachable here, so these tests pin down what the scripts decide: which deployment
gets traffic, when they roll back, when they fail, what they promote. The fake answers only the
commands the scripts use; anything else fails loudly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

FAKE_AZ = r"""#!/usr/bin/env python3
import csv, json, os, pathlib, sys
from datetime import datetime, timezone

args = sys.argv[1:]
state_file = pathlib.Path(os.environ["FAKE_AZ_STATE"])
state = json.loads(state_file.read_text())
state["calls"].append(args)


def opt(name, default=None):
    return args[args.index(name) + 1] if name in args else default


def done(output="", code=0):
    state_file.write_text(json.dumps(state))
    if output:
        print(output)
    sys.exit(code)


words = [a for a in args if not a.startswith("-")][:3]
group = " ".join(words[:2])
verb = words[2] if len(words) > 2 else words[1] if len(words) > 1 else ""
query = opt("--query")
if words[:2] == ["account", "show"]:
    done("00000000-0000-0000-0000-000000000001")  # the subscription id (the review link in ci/rai_review.sh)
if words[:2] == ["extension", "show"]:
    done()  # not installed: the scripts add the pinned release
if words[:2] == ["extension", "add"]:
    done()
# The infrastructure train.sh looks for before training: state["infra"] lists what exists.
if words[:2] == ["group", "exists"]:
    if state.get("login_failed"):
        print("ERROR: Please run 'az login' to setup account.", file=sys.stderr)
        done(code=1)
    done("true" if "group" in state["infra"] else "false")
if group == "ml workspace" and verb == "list":
    done(query.split("'")[1] if "workspace" in state["infra"] else "")
if group == "ml compute" and verb == "list":
    done("\n".join(state["infra"].get("clusters", [])))
if group == "ml online-endpoint" or group == "ml batch-endpoint":
    if verb == "show":
        if not state["endpoint"]:
            done(code=1)
        if query == "traffic":
            done(json.dumps(state["traffic"]))
        if query == "defaults.deployment_name":
            done(state["default"])
        done()
    if verb in ("create", "update"):
        state["endpoint"] = True
        if "--traffic" in args:
            state["traffic"] = {k: int(v) for k, v in (p.split("=") for p in opt("--traffic").split())}
        if "--set" in args:
            state["default"] = opt("--set").split("=", 1)[1]
        done()
    if verb == "invoke":
        if group == "ml batch-endpoint":
            done("batch-job-1")
        target = opt("--deployment-name") or "endpoint"
        done("" if target in state["broken"] else '{"predictions": [0]}', 1 if target in state["broken"] else 0)
if group in ("ml online-deployment", "ml batch-deployment"):
    name = opt("--name")
    if verb == "show":
        if name not in state["deployments"]:
            done(code=1)
        done(state["deployments"][name] if query == "model" else "")
    if verb in ("create", "update"):
        model = next((s.split("=", 1)[1] for s in args if s.startswith("model=")), "azureml:credit-default:7")
        state["deployments"][name] = model
        done()
    if verb == "delete":
        del state["deployments"][name]
        done()
    if verb == "get-logs":
        done("logs")
if group == "ml job":
    if verb == "list":
        done(state.get("running_job", ""))
    if verb == "create":
        done("train-job-1")
    if verb == "show":
        done("https://ml.azure.com/runs/x" if query == "services.Studio.endpoint" else state["job_status"])
    if verb == "download":
        # Azure ML writes a named output to <download path>/named-outputs/<output name>
        # (azure-ai-ml 1.35, azure/ai/ml/operations/_job_operations.py, JobOperations.download).
        out = pathlib.Path(opt("--download-path")) / "named-outputs" / opt("--output-name")
        out.mkdir(parents=True)
        if opt("--output-name") == "registration":
            if state["registration"] is not None:
                (out / "registration.json").write_text(json.dumps(state["registration"]))
        elif state["predictions"]:
            (out / "predictions.csv").write_text("row,prediction\n1,0\n")
        done()
if group == "ml data":
    # Without a "data" list every asset exists (training's data asset); with one, only those listed.
    wanted = f"{opt('--name')}:{opt('--version')}"
    if verb == "show" and "data" in state:
        done(code=0 if wanted in state["data"] else 1)
    if verb == "create" and "data" in state:
        import yaml

        spec = yaml.safe_load(pathlib.Path(opt("--file")).read_text()) if opt("--file") else {}
        state["data"].append(f"{opt('--name') or spec['name']}:{opt('--version') or spec['version']}")
    done()
if group == "ml component":
    if verb == "show":
        done(code=0 if f"{opt('--name')}:{opt('--version')}" in state.get("components", []) else 1)
    if verb == "create":
        done()
if group == "ml model":
    if verb == "list":
        # --query "length([?name=='<model>'])": how many models of that name the workspace holds.
        done(str(len(state.get("models", [])) if query.startswith("length(") else ""))
    if verb == "show":
        done(code=0 if state.get("in_registry") else 1)
    if verb == "share":
        done()
if group == "ml schedule":
    if verb == "show":
        done(code=0 if state.get("schedule") else 1)
    if verb == "update" and "--file" in args:
        # `az ml schedule update` has no --file (azext_mlv2/manual/_params/_schedule_params.py).
        print("ERROR: unrecognized arguments: --file", file=sys.stderr)
        done(code=2)
    state["schedule"] = True
    done()
if group == "ml online-endpoint" and verb == "list":
    # The scripts filter by name in --query: answer with that name when the endpoint exists.
    done(query.split("'")[1] if state["endpoint"] else "")
if group == "ml datastore" and verb == "show":
    done({"account_name": "stdevfake", "container_name": "azureml-blobstore"}[query])
if group == "storage blob" and verb == "upload-batch":
    state.setdefault("uploaded", []).append(opt("--destination-path"))
    done()
if group == "storage blob" and verb == "download-batch":
    if state.get("storage_denied"):
        print("ERROR: AuthorizationPermissionMismatch", file=sys.stderr)
        done(code=1)
    # Play the blobs under --pattern: rows of the CSV named by state["production"], as the
    # data collector's JSON Lines (one request per line) or as the CSV files sent to a batch endpoint.
    prefix = opt("--pattern").rstrip("*")
    if state.get("production"):
        folder = pathlib.Path(opt("--destination")) / prefix / "2026" / "11" / "20"
        folder.mkdir(parents=True)
        with open(state["production"], newline="", encoding="utf-8") as sample:
            rows = list(csv.DictReader(sample))
        if prefix.startswith("modelDataCollector/"):
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            events = [{"type": "azureml.inference.model_inputs", "time": now, "data": rows[i : i + 25]}
                      for i in range(0, len(rows), 25)]
            # An old request of drifted data: outside the window, it must not count.
            events.append({"time": "2020-01-01T00:00:00Z", "data": [{"interest_rate": 99}] * 5000})
            (folder / "requests.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
        else:
            (folder / "inputs.csv").write_text(pathlib.Path(state["production"]).read_text(encoding="utf-8"))
    state["downloaded"] = prefix
    done()
print(f"fake az: unexpected command {args}", file=sys.stderr)
done(code=99)
"""


@pytest.fixture
def project(baked, tmp_path):
    """A copy of a bake (online or batch) with the deployment files the scripts read, and a fake az."""

    def make(mode: str = "online", scenario: str = "tabular", **state) -> tuple[Path, Path]:
        root = tmp_path / mode
        shutil.copytree(baked(ci_platform="github_actions", deployment_mode=mode, ml_scenario=scenario), root)
        spec = root / "mlops" / "azureml" / "deploy" / mode
        spec.mkdir(parents=True, exist_ok=True)
        for name in ("endpoint.yml", "deployment.yml"):
            if not (spec / name).exists():
                (spec / name).write_text("name: blue\n", encoding="utf-8")
        (spec / "sample-request.json").touch()
        fake = tmp_path / "bin"
        fake.mkdir(exist_ok=True)
        (fake / "az").write_text(FAKE_AZ, encoding="utf-8")
        (fake / "az").chmod((fake / "az").stat().st_mode | stat.S_IEXEC)
        state_file = tmp_path / "state.json"
        defaults = {"calls": [], "endpoint": True, "traffic": {}, "deployments": {}, "broken": [], "default": "",
                    "job_status": "Completed", "predictions": True,
                    "infra": {"group": True, "workspace": True, "clusters": ["cpu-cluster", "gpu-cluster"]},
                    "registration": {"registered": True, "model_name": "credit-default", "version": 8}}  # fmt: skip
        state_file.write_text(json.dumps(defaults | state), encoding="utf-8")
        return root, state_file

    return make


def run_script(
    root: Path, state_file: Path, *args: str, env: dict | None = None
) -> tuple[subprocess.CompletedProcess, dict]:
    extra = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TF_BUILD", "BUILD_"))}
    env |= {"PATH": f"{state_file.parent / 'bin'}{os.pathsep}{env['PATH']}", "FAKE_AZ_STATE": str(state_file)}
    env |= {"GITHUB_OUTPUT": str(state_file.parent / "outputs"), "GITHUB_SHA": "abc123", "GITHUB_RUN_ID": "77"}
    env |= extra
    result = subprocess.run(["bash", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    return result, json.loads(state_file.read_text(encoding="utf-8"))


def outputs(state_file: Path) -> str:
    path = state_file.parent / "outputs"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def commands(state: dict, *prefix: str) -> list[list[str]]:
    return [call for call in state["calls"] if call[: len(prefix)] == list(prefix)]


def test_online_rollout_switches_traffic_after_the_smoke_test(project):
    root, state_file = project("online", traffic={"blue": 100}, deployments={"blue": "azureml:credit-default:6"})
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert state["traffic"] == {"green": 100, "blue": 0}  # blue kept at 0% for rollback
    assert set(state["deployments"]) == {"blue", "green"}
    created = commands(state, "ml", "online-deployment", "create")
    assert len(created) == 1 and "--all-traffic" not in created[0]  # starts at 0%
    # The new deployment is tested on its own before any traffic moves, then through the endpoint.
    invokes = commands(state, "ml", "online-endpoint", "invoke")
    first = invokes[0]
    assert first[first.index("--deployment-name") + 1] == "green"
    assert "--deployment-name" not in invokes[1]
    # The monitor follows the new live colour of this environment's endpoint, not the file's dev/blue.
    schedule = schedules(state)[MONITOR_FILE]
    endpoint = yaml.safe_load((root / "config/dev.yml").read_text())["deployment"]["endpoint_name"]
    assert f"create_monitor.monitoring_target.endpoint_deployment_id=azureml:{endpoint}:green" in schedule


def test_deep_learning_monitor_compares_with_what_the_new_colour_collected(project):
    root, state_file = project("online", scenario="nlp", traffic={"blue": 100}, deployments={"blue": "m:1"})
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(schedules(state)) == [DRIFT_REPORT_FILE, MONITOR_FILE]
    schedule = schedules(state)[MONITOR_FILE]
    endpoint = yaml.safe_load((root / "config/dev.yml").read_text())["deployment"]["endpoint_name"]
    path = "reference_data.input_data.path"
    for signal, collected in [("input_drift", "inputs"), ("input_quality", "inputs"), ("prediction_drift", "outputs")]:
        expected = f"create_monitor.monitoring_signals.{signal}.{path}=azureml:{endpoint}-green-model_{collected}:1"
        assert expected in schedule, signal


def test_online_rollout_deletes_a_deployment_that_fails_the_smoke_test(project):
    root, state_file = project(
        "online", traffic={"blue": 100}, deployments={"blue": "azureml:credit-default:6"}, broken=["green"]
    )
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 1
    assert state["traffic"] == {"blue": 100}
    assert set(state["deployments"]) == {"blue"}
    assert "smoke test of deployment green failed" in result.stdout + result.stderr


def test_online_rollout_moves_traffic_back_when_the_endpoint_fails_after_the_switch(project):
    root, state_file = project(
        "online", traffic={"green": 100}, deployments={"green": "azureml:credit-default:6"}, broken=["endpoint"]
    )
    result, state = run_script(root, state_file, "ci/deploy.sh", "prod", "azureml://registries/r/models/m/versions/2")
    assert result.returncode == 1
    assert state["traffic"] == {"green": 100, "blue": 0}
    assert state["deployments"]["blue"] == "azureml://registries/r/models/m/versions/2"


def test_first_online_rollout_creates_the_endpoint(project):
    root, state_file = project("online", endpoint=False)
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 0, result.stderr
    assert commands(state, "ml", "online-endpoint", "create")
    assert state["traffic"] == {"blue": 100}


@pytest.mark.parametrize("predictions", [True, False])
def test_batch_deployment_scores_the_sample_and_checks_the_output(project, predictions):
    root, state_file = project("batch", endpoint=False, predictions=predictions)
    name = yaml.safe_load((root / "mlops/azureml/deploy/batch/deployment.yml").read_text(encoding="utf-8"))["name"]
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == (0 if predictions else 1), result.stdout + result.stderr
    assert state["default"] == name
    assert state["uploaded"][0].startswith("batch-scoring/inputs/")  # the shipped sample, uploaded first
    assert bool(commands(state, "ml", "schedule", "create")) == predictions  # no monitor for a broken deployment


def monitor_signals(root: Path) -> dict:
    return yaml.safe_load((root / "mlops/azureml/monitoring/monitor.yml").read_text())["create_monitor"][
        "monitoring_signals"
    ]


def option(call: list[str], name: str) -> str:
    return call[call.index(name) + 1]


MONITOR_FILE = "mlops/azureml/monitoring/monitor.yml"
DRIFT_REPORT_FILE = "mlops/azureml/monitoring/drift-pipeline/schedule.yml"


def schedules(state: dict) -> dict[str, list[str]]:
    """`az ml schedule create` calls by --file: the model monitor and (tabular, nlp) the drift report pipeline."""
    return {option(call, "--file"): call for call in commands(state, "ml", "schedule", "create")}


@pytest.mark.parametrize("scenario", ["tabular", "nlp"])
def test_batch_deployment_writes_where_the_monitor_reads_and_monitors_what_it_deployed(project, scenario):
    # The monitor reads production_data paths on the workspace's datastore; the batch job must write there.
    # `az ml batch-endpoint invoke --output-path azureml://datastores/<datastore>/paths/<path>` sets where the
    # job's output goes (Azure/azure-cli-extensions src/machinelearningservices/azext_mlv2/manual/custom/
    # batch_endpoint.py, ml_batch_endpoint_invoke, output_path -> validate_and_split_output_path).
    root, state_file = project("batch", scenario=scenario, deployments={"champion": "azureml:m:1"})
    model = "azureml://registries/reg/models/m/versions/7"
    result, state = run_script(root, state_file, "ci/deploy.sh", "prod", model)
    assert result.returncode == 0, result.stdout + result.stderr
    (invoke,) = commands(state, "ml", "batch-endpoint", "invoke")
    (uploaded,) = state["uploaded"]
    signals = monitor_signals(root)
    predictions = signals["prediction_drift"]["production_data"]["input_data"]["path"]
    assert option(invoke, "--output-path").startswith(predictions)
    assert option(invoke, "--input") == f"azureml://datastores/workspaceblobstore/paths/{uploaded}/"
    if scenario == "tabular":
        inputs = signals["data_drift"]["production_data"]["input_data"]["path"]
        assert option(invoke, "--input").startswith(inputs)
    # Runs are dated folders (YYYY/MM/DD/<run>/): the pre-processing component keeps those of the window.
    assert re.search(r"/\d{4}/\d{2}/\d{2}/[^/]+/$", option(invoke, "--output-path"))
    # CI creates the batch monitor, watching the model it just deployed rather than the file's version 1,
    # after registering the pre-processing component the monitor names.
    assert sorted(schedules(state)) == [DRIFT_REPORT_FILE, MONITOR_FILE]
    schedule = schedules(state)[MONITOR_FILE]
    assert f"create_monitor.monitoring_target.model_id={model}" in schedule
    (component,) = commands(state, "ml", "component", "create")
    assert state["calls"].index(component) < state["calls"].index(schedule)


def test_an_existing_monitor_is_replaced_with_schedule_create(project):
    # `az ml schedule update` takes no --file (azext_mlv2/manual/_params/_schedule_params.py: only --name and the
    # common params); `az ml schedule create --file` calls ml_client.begin_create_or_update, which creates or
    # replaces the schedule of that name (azext_mlv2/manual/custom/schedule.py, _ml_schedule_create).
    root, state_file = project("online", traffic={"blue": 100}, deployments={"blue": "m:1"}, schedule=True)
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not commands(state, "ml", "schedule", "update")
    assert sorted(schedules(state)) == [DRIFT_REPORT_FILE, MONITOR_FILE]


def test_every_environment_registers_the_monitoring_reference_before_the_monitor(project):
    # prod never trains: a data asset registered by dev's training does not exist in prod's workspace.
    root, state_file = project("online", traffic={"blue": 100}, deployments={"blue": "m:1"}, data=[])
    result, state = run_script(root, state_file, "ci/deploy.sh", "prod", "azureml://registries/r/models/m/versions/2")
    assert result.returncode == 0, result.stdout + result.stderr
    schedule = schedules(state)[MONITOR_FILE]
    signals = monitor_signals(root)
    reference = signals["data_drift"]["reference_data"]["input_data"]["path"]
    truth = signals["model_quality"]["reference_data"]["input_data"]["path"]
    assert {reference.removeprefix("azureml:"), truth.removeprefix("azureml:")} <= set(state["data"])
    created = {option(call, "--file"): call for call in commands(state, "ml", "data", "create")}
    assert sorted(created) == ["mlops/azureml/monitoring/ground-truth.yml", "mlops/azureml/monitoring/reference.yml"]
    assert all(state["calls"].index(call) < state["calls"].index(schedule) for call in created.values())
    # The prediction-drift reference is this deployment's own collected outputs (what Azure ML registers).
    endpoint = yaml.safe_load((root / "config/prod.yml").read_text())["deployment"]["endpoint_name"]
    path = "create_monitor.monitoring_signals.prediction_drift.reference_data.input_data.path"
    assert f"{path}=azureml:{endpoint}-green-model_outputs:1" in schedule
    # So are the predictions the model-quality signal joins to the ground truth.
    path = "create_monitor.monitoring_signals.model_quality.production_data.input_data.path"
    assert f"{path}=azureml:{endpoint}-green-model_outputs:1" in schedule


@pytest.mark.parametrize(("status", "code"), [("Completed", 0), ("Failed", 1), ("Canceled", 1), ("Running", 3)])
def test_training_waits_and_fails_with_the_job(project, status, code):
    root, state_file = project(job_status=status)
    # A zero-minute wait: a job that is still running ends the wait at once (exit 3).
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == code, result.stdout + result.stderr
    created = commands(state, "ml", "job", "create")
    assert len(created) == 1 and "tags.git_commit=abc123" in created[0] and "tags.ci_run=77" in created[0]
    assert "https://ml.azure.com/runs/x" in result.stdout
    assert "job_name=train-job-1" in outputs(state_file)
    # Only a completed job is asked what it registered; a failed or unfinished one deploys nothing.
    assert bool(commands(state, "ml", "job", "download")) == (status == "Completed")
    assert ("registered=true" in outputs(state_file)) == (status == "Completed")


def test_training_registers_each_missing_data_asset_and_trains_on_it(project):
    # Tabular has two sources (applications, payment history): each asset of config/dev.yml is registered when its
    # name:version is missing, and the pipeline reads the registered asset through its input (`--set
    # inputs.<name>.path=azureml:<asset>:<version>`: the CLI's generic update syntax, az ml job create --set).
    root, state_file = project(data=["credit-default-applications:1"])
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    created = [option(call, "--file") for call in commands(state, "ml", "data", "create")]
    assert created == ["mlops/azureml/data_payment_history.yml"]
    assert state["data"] == ["credit-default-applications:1", "credit-default-payment-history:1"]
    (job,) = commands(state, "ml", "job", "create")
    assert "inputs.raw_data.path=azureml:credit-default-applications:1" in job
    assert "inputs.payment_history.path=azureml:credit-default-payment-history:1" in job


def test_training_outputs_the_version_the_gate_registered(project):
    root, state_file = project(registration={"registered": True, "model_name": "credit-default", "version": 8})
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    (download,) = commands(state, "ml", "job", "download")
    assert download[download.index("--name") + 1] == "train-job-1"
    assert download[download.index("--output-name") + 1] == "registration"  # pipeline.yml's output
    assert "registered=true\n" in outputs(state_file)
    # Exactly this version is deployed next, never "latest".
    assert "model=azureml:credit-default:8\n" in outputs(state_file)


def test_training_that_keeps_the_champion_outputs_nothing_to_deploy(project):
    kept = {"registered": False, "model_name": "credit-default", "reason": "no improvement", "champion_version": 7}
    root, state_file = project(registration=kept)
    result, _ = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "registered=false" in outputs(state_file) and "model=" not in outputs(state_file)
    assert "no improvement" in result.stdout


@pytest.mark.parametrize(
    "registration",
    [None, {"registered": True, "model_name": "m; rm -rf /", "version": 1}],
    ids=["no-output", "unsafe-name"],
)
def test_training_fails_when_the_registration_output_is_missing_or_odd(project, registration):
    root, state_file = project(registration=registration)
    result, _ = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "registered=true" not in outputs(state_file)


@pytest.mark.parametrize(
    ("infra", "missing"),
    [
        ({}, "resource group"),
        ({"group": True}, "workspace"),
        ({"group": True, "workspace": True, "clusters": []}, "compute cluster cpu-cluster"),
    ],
    ids=["no-group", "no-workspace", "no-cluster"],
)
def test_training_before_the_infrastructure_exists_ends_with_a_notice(project, infra, missing):
    """The first push starts training and the infrastructure at once: training must wait for it, not fail."""
    root, state_file = project(infra=infra)
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"::notice::{missing}" in result.stdout and "infra.yml" in result.stdout
    assert not commands(state, "ml", "job")
    assert "registered=false" in outputs(state_file)


def test_training_fails_when_it_cannot_tell_whether_the_infrastructure_exists(project):
    root, state_file = project(login_failed=True)
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "registered=false" not in outputs(state_file) and not commands(state, "ml", "job")


def test_deep_learning_training_also_waits_for_the_gpu_cluster(project):
    root, state_file = project(scenario="nlp", infra={"group": True, "workspace": True, "clusters": ["cpu-cluster"]})
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gpu-cluster" in result.stdout and not commands(state, "ml", "job", "create")


@pytest.mark.parametrize(("models", "trains"), [([], True), (["credit-default"], False)], ids=["untrained", "trained"])
def test_infrastructure_run_trains_only_a_workspace_without_a_model(project, models, trains):
    root, state_file = project(models=models)
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0", env={"ONLY_IF_UNTRAINED": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert bool(commands(state, "ml", "job", "create")) == trains
    assert ("registered=true" in outputs(state_file)) == trains
    # Azure DevOps renders a boolean template parameter as "True".
    result, _ = run_script(root, state_file, "ci/train.sh", "dev", "0", env={"ONLY_IF_UNTRAINED": "True"})
    assert result.returncode == 0 and ("already holds model" in result.stdout) != trains


def test_training_rerun_waits_for_the_running_job_of_the_same_commit(project):
    root, state_file = project(running_job="train-job-0")
    result, state = run_script(root, state_file, "ci/train.sh", "dev", "0")
    assert result.returncode == 0, result.stderr
    assert not commands(state, "ml", "job", "create")
    assert "train-job-0" in result.stdout
    # A running job of this commit, or the completed job of this very CI run (a re-run after the wait ran out).
    (listing,) = commands(state, "ml", "job", "list")
    query = listing[listing.index("--query") + 1]
    assert "tags.git_commit == 'abc123'" in query and "tags.ci_run == '77'" in query
    download = commands(state, "ml", "job", "download")[0]
    assert download[download.index("--name") + 1] == "train-job-0"


def test_promotion_shares_the_model_dev_serves(project):
    workspace = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w"
    served = f"{workspace}/models/m/versions/7"
    root, state_file = project("online", traffic={"green": 100, "blue": 0}, deployments={"green": served, "blue": "x"})
    result, state = run_script(root, state_file, "ci/promote.sh")
    assert result.returncode == 0, result.stderr
    share = commands(state, "ml", "model", "share")[0]
    assert share[share.index("--name") + 1] == "m" and share[share.index("--version") + 1] == "7"
    registry = yaml.safe_load((root / "config/dev.yml").read_text(encoding="utf-8"))["azure"]["ml_registry"]
    outputs = (state_file.parent / "outputs").read_text(encoding="utf-8")
    assert f"model=azureml://registries/{registry}/models/m/versions/7" in outputs
    assert not commands(state, "ml", "job")  # promotion never trains


def test_promotion_fails_when_dev_serves_nothing(project):
    root, state_file = project("online", traffic={})
    result, _ = run_script(root, state_file, "ci/promote.sh")
    assert result.returncode == 1
    assert "deploy to dev first" in result.stdout + result.stderr


# --- drift check (ci/drift.sh) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        ("online", {"endpoint": False}),  # never deployed
        ("online", {"traffic": {"blue": 0}}),  # no deployment takes traffic
        ("online", {"traffic": {"blue": 100}}),  # live, but nothing collected
        ("batch", {}),  # nothing sent to the batch endpoint
    ],
    ids=["no-endpoint", "no-traffic", "nothing-collected", "batch-nothing-sent"],
)
def test_drift_without_production_data_warns_and_does_not_retrain(project, mode, state):
    root, state_file = project(mode, **state)
    result, _ = run_script(root, state_file, "ci/drift.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING:" in result.stderr and "no retraining" in result.stdout
    assert "drifted=true" not in outputs(state_file)
    assert not (root / "outputs" / "drift" / "drift.json").exists()  # make drift did not run


def test_drift_check_passes_on_production_data_like_the_training_data(project):
    production = "outputs/production.csv"  # what requests carry: the applications with their history features
    root, state_file = project("online", traffic={"blue": 0, "green": 100}, production=production)
    package = next(p.parent.name for p in (root / "src").glob("*/tabular"))
    joined = [f"{package}.tabular.history", "--observations", "data/credit_default.csv", "--output", production]
    subprocess.run(
        [sys.executable, "-m", *joined, "--history", "data/payment_history.csv"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": "src"},
        check=True,
        capture_output=True,
    )
    result, state = run_script(root, state_file, "ci/drift.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    endpoint = yaml.safe_load((root / "config/dev.yml").read_text(encoding="utf-8"))["deployment"]["endpoint_name"]
    assert state["downloaded"] == f"modelDataCollector/{endpoint}/green/model_inputs/"  # the live deployment
    download = commands(state, "storage", "blob", "download-batch")[0]
    assert download[download.index("--auth-mode") + 1] == "login"
    assert "drifted=false" in outputs(state_file) and "drifted=true" not in outputs(state_file)
    assert "no drift" in result.stdout


@pytest.mark.parametrize("mode", ["online", "batch"])
def test_drift_in_production_data_fails_and_asks_for_retraining(project, mode):
    root, state_file = project(mode, traffic={"blue": 100}, production="data/drift-sample.csv")
    result, state = run_script(root, state_file, "ci/drift.sh", "dev")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "drifted=true" in outputs(state_file)
    assert "drift detected in the dev production data" in result.stderr
    if mode == "batch":
        assert state["downloaded"] == "batch-scoring/inputs/"  # the folder the batch monitor reads


def test_drift_check_download_failure_is_an_error_not_drift(project):
    root, state_file = project("online", traffic={"blue": 100}, production="data/drift-sample.csv", storage_denied=True)
    result, _ = run_script(root, state_file, "ci/drift.sh", "dev")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "could not fetch production data from the dev workspace while downloading" in result.stderr
    assert "drifted=true" not in outputs(state_file)


def test_scripts_install_the_ml_extension_release_the_contract_checks_read(project):
    # tests/data/cli_commands.json is the ml extension's command table at one release; a CI that installs
    # another release could meet renamed or removed options that the contract check never saw.
    extract = json.loads((Path(__file__).parent / "data" / "cli_commands.json").read_text(encoding="utf-8"))
    pinned = extract["sources"]["az ml"]["version"]
    root, state_file = project("online", traffic={"blue": 100}, deployments={"blue": "azureml:credit-default:6"})
    result, state = run_script(root, state_file, "ci/deploy.sh", "dev")
    assert result.returncode == 0, result.stdout + result.stderr
    (add,) = commands(state, "extension", "add")
    assert add[add.index("--name") + 1] == "ml"
    assert add[add.index("--version") + 1] == pinned
