"""Every scenario's registered model stands on its own: it loads and predicts in a fresh virtual environment
built only from the model's own requirements.txt, with no import of the generated package.

That is what Azure ML's no-code deployment of an MLflow model relies on: it generates the scoring script and
the environment, and "ensures that all the package dependencies indicated in the MLflow model are satisfied"
(learn.microsoft.com/azure/machine-learning/how-to-deploy-mlflow-models, "Guidelines for deploying MLflow
models", section "Deployment of MLflow models vs. custom models").

The model is trained with the baked train step on small settings (what the loop registers is that folder,
uploaded as the run's ``model`` artifact). The environment is a venv with only ``pip install -r
requirements.txt`` (kept between runs for the same requirements, see ``environment_from``). The model predicts its own
input example there, and the predictions must equal the ones the training environment gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

PACKAGE = "my_mlops_project"
VENV_CACHE = Path.home() / ".cache" / "azureml-mlops-template" / "model-venvs"
BUILT_MARKER = "built-from-requirements.txt"
# Small but real training runs of the baked train step.
TRAIN_ARGS = {"tabular": ["--max-iter", "20"], "cv": ["--epochs", "1", "--width", "8"], "nlp": ["--epochs", "1"]}

TRAIN = """
import sys
from pathlib import Path
from {package}.common import loop
from {package}.{scenario} import prep, train
out = Path(sys.argv[1])
assert prep.main(["--input", str(loop.shipped_data()), "--output", str(out / "prepared")]) == 0
assert train.main(["--prepared", str(out / "prepared"), "--output", str(out / "trained"), *sys.argv[2:]]) == 0
"""

# Run with the model's environment: the package must not be importable, and the model must not try.
PREDICT = """
import json, sys
import importlib.util
import mlflow.pyfunc
from mlflow.models import Model
assert importlib.util.find_spec({package!r}) is None, "the generated package is importable here"
sys.modules[{package!r}] = None
folder = sys.argv[1]
example = Model.load(folder).load_input_example(folder)
predictions = mlflow.pyfunc.load_model(folder).predict(example)
print(json.dumps([str(p) for p in list(predictions)]))
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command[:4]}...\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


def environment_from(requirements: Path) -> Path:
    """The python of a venv built with nothing but ``pip install -r requirements``.

    A venv is kept per exact requirements file (every line is pinned with ==) under VENV_CACHE, so later runs
    reuse it instead of installing torch again: measured 6-11 min per deep-learning venv on a loaded 2-core
    machine with pip's cache warm (85 s of it CPU time). Set MLOPS_TEMPLATE_FRESH_VENV=1 to rebuild.
    """
    text = requirements.read_text()
    key = hashlib.sha256(f"{sys.version}\n{text}".encode()).hexdigest()[:16]
    folder = VENV_CACHE / key
    python = folder / "bin" / "python"
    if (folder / BUILT_MARKER).is_file() and not os.environ.get("MLOPS_TEMPLATE_FRESH_VENV"):
        return python
    shutil.rmtree(folder, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    (folder / "requirements.txt").write_text(text)
    run([str(python), "-m", "pip", "install", "--quiet", "-r", str(folder / "requirements.txt")], timeout=1800)
    (folder / BUILT_MARKER).write_text(text)  # written last: a broken build is never reused
    return python


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["tabular", "cv", "nlp"])
def test_the_trained_model_predicts_in_a_fresh_environment_from_its_own_requirements(baked, scenario, tmp_path):
    project = baked(ml_scenario=scenario)
    environment = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{(tmp_path / 'mlflow.db').as_posix()}",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "OMP_NUM_THREADS": "1",
    }
    script = TRAIN.format(package=PACKAGE, scenario=scenario)
    command = [sys.executable, "-c", script, str(tmp_path / "out"), *TRAIN_ARGS[scenario]]
    run(command, cwd=project, env=environment, timeout=600)
    model_dir = tmp_path / "out" / "trained" / "model"
    requirements = model_dir / "requirements.txt"
    # The model declares what it needs, and our package is not among it.
    declared = [line.split("==")[0] for line in requirements.read_text().splitlines() if line.strip()]
    assert PACKAGE not in declared and PACKAGE.replace("_", "-") not in declared
    assert (model_dir / "model.onnx").is_file()  # the ONNX copy travels inside the registered model

    started = time.perf_counter()
    python = environment_from(requirements)
    built = time.perf_counter() - started
    clean = {k: v for k, v in environment.items() if k != "PYTHONPATH"}
    predicted = run([str(python), "-c", PREDICT.format(package=PACKAGE), str(model_dir)], cwd=tmp_path, env=clean)
    expected = run([sys.executable, "-c", PREDICT.format(package=PACKAGE), str(model_dir)], cwd=tmp_path)
    print(f"{scenario}: fresh environment from requirements.txt in {built:.0f} s")
    assert json.loads(predicted.stdout.splitlines()[-1]) == json.loads(expected.stdout.splitlines()[-1])
