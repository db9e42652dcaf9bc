"""ONNX Runtime against the original models, side by side in one run (issue 17, item 2). Measures and prints.

1. Tabular online: the default pipeline trained on the full shipped data, saved as the train step saves it
   (MLflow model + model.onnx). The same single-row requests go to azureml-inference-server-http with the
   baked score.py serving ONNX (the default), the same server with model.onnx removed (scikit-learn, the
   previous path), and `mlflow models serve --env-manager local` (one worker).
   Goals: p50 <= 2 ms; throughput >= 2x mlflow models serve.
2. Tabular batch: 1M rows in 20 parquet files through the baked batch scoring (files -> checks -> ONNX ->
   one CSV, as `make batch` runs it) vs raw scikit-learn `predict` on the same rows in memory. Goal >= 1.5x.
3. cv and nlp: the local loop's model (trained here with the baked train step), items per second through the
   scoring adapter (decode/tokenize + network) with ONNX Runtime vs the PyTorch model, both on one thread
   as the scoring scripts run them. Goal >= 2x.
4. What the export costs: seconds added to the train step and the size of model.onnx next to the MLflow model.

Run: python benchmarks/onnx_inference.py [REQUESTS] [CLIENTS] [--tabular-only]  (defaults 2000, 4; ~10 min)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from mlops_template.baking import bake  # noqa: E402 (after the path it needs)

BATCH_ROWS = 1_000_000
BATCH_FILES = 20


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def tabular(work: Path, requests: int, clients: int) -> None:
    import serving as serving_benchmark  # benchmarks/serving.py: the same measurement as the earlier numbers

    project = bake({}, work / "online", work / "config")
    batch_project = bake({"deployment_mode": "batch"}, work / "batch", work / "config-batch")
    sys.path.insert(0, str(project / "src"))
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from my_mlops_project.serving.server import LocalServer, free_port
    from my_mlops_project.tabular import export_onnx, train
    from my_mlops_project.tabular.contract import load_contract, validate

    contract = load_contract()
    rows = validate(pd.read_csv(project / "data/credit_default.csv")).valid
    features = rows[contract.feature_names]
    started = time.perf_counter()
    model = train.build_pipeline(**train.DEFAULTS).fit(features, rows[contract.target.name])
    fit_seconds = time.perf_counter() - started
    model_dir = work / "model"
    mlflow.sklearn.save_model(
        model,
        model_dir,
        skops_trusted_types=train.SKOPS_TRUSTED_TYPES,
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
    )
    mlflow_bytes = folder_bytes(model_dir)
    started = time.perf_counter()
    compared = export_onnx.export(model, model_dir, features)
    export_seconds = time.perf_counter() - started
    print(f"tabular: fit {fit_seconds:.2f} s on {len(rows)} rows; ONNX export + check {export_seconds:.2f} s")
    print(
        f"  model.onnx {compared['onnx_bytes'] / 1e3:.0f} kB beside the MLflow model's {mlflow_bytes / 1e3:.0f} kB; "
        f"on all {len(rows)} rows: max |p_onnx - p_sklearn| {compared['max_probability_difference']:.1e}, "
        f"label mismatches {compared['label_mismatches']}"
    )
    assert compared["exported"], compared

    records = json.loads(features.head(500).to_json(orient="records"))
    score_bodies = [json.dumps({"data": [r]}).encode() for r in records]
    results = {}
    print(f"\nonline: {requests} single-row requests from {clients} clients, plus 300 sequential for latency")
    server = LocalServer(model_dir, log_path=work / "azmlinfsrv-onnx.log")
    try:
        server.start()
        results["azmlinfsrv + score.py, ONNX"] = serving_benchmark.measure(
            server.port, "/score", score_bodies, requests, clients
        )
    finally:
        server.stop()
    sklearn_dir = work / "model-sklearn"
    subprocess.run(["cp", "-r", str(model_dir), str(sklearn_dir)], check=True)
    (sklearn_dir / "model.onnx").unlink()
    server = LocalServer(sklearn_dir, log_path=work / "azmlinfsrv-sklearn.log")
    try:
        server.start()
        results["azmlinfsrv + score.py, sklearn"] = serving_benchmark.measure(
            server.port, "/score", score_bodies, requests, clients
        )
    finally:
        server.stop()
    served = (work / "azmlinfsrv-onnx.log").read_text(errors="replace")
    print(f"  the ONNX server's log says: {'served by onnxruntime' if 'served by onnxruntime' in served else '??'}")
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(sklearn_dir)]
    command += ["--env-manager", "local", "-h", serving_benchmark.HOST, "-p", str(port), "--workers", "1"]
    with (work / "mlflow.log").open("w") as log:
        process = subprocess.Popen(
            command, env=serving_benchmark.ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            serving_benchmark.wait_until_up(f"http://{serving_benchmark.HOST}:{port}/ping", process)
            bodies = [json.dumps({"dataframe_records": [r]}).encode() for r in records]
            results["mlflow models serve"] = serving_benchmark.measure(port, "/invocations", bodies, requests, clients)
        finally:
            serving_benchmark.stop(process)
    for name, r in results.items():
        print(
            f"  {name:32s} p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  "
            f"{r['rps']:.0f} req/s  errors {r['errors']}/{r['requests']}"
        )
    onnx_result = results["azmlinfsrv + score.py, ONNX"]
    ratio = onnx_result["rps"] / results["mlflow models serve"]["rps"]
    print(f"  p50 with ONNX: {onnx_result['p50_ms']:.2f} ms (goal <= 2 ms)")
    print(f"  throughput ratio ONNX server / mlflow models serve: {ratio:.2f} (goal >= 2)")

    print(f"\nbatch: {BATCH_ROWS:,} rows in {BATCH_FILES} parquet files")
    sys.path.insert(0, str(batch_project / "src"))
    for name in [m for m in sys.modules if m.startswith("my_mlops_project")]:
        del sys.modules[name]  # the batch bake's package has the batch modules
    from my_mlops_project.serving import batch_local
    from my_mlops_project.tabular import export_onnx as batch_export_onnx

    big = rows.sample(BATCH_ROWS, replace=True, random_state=0).reset_index(drop=True)
    big["application_id"] = [f"APP-{i:07d}" for i in range(BATCH_ROWS)]
    folder = work / "batch-in"
    folder.mkdir()
    per_file = BATCH_ROWS // BATCH_FILES
    for index in range(BATCH_FILES):
        big.iloc[index * per_file : (index + 1) * per_file].drop(columns=[contract.target.name]).to_parquet(
            folder / f"part-{index:02d}.parquet", index=False
        )
    big_features = big[contract.feature_names]
    started = time.perf_counter()
    expected = model.predict(big_features)
    raw = time.perf_counter() - started
    onnx_pipeline = batch_export_onnx.OnnxPipeline(model_dir / "model.onnx")
    started = time.perf_counter()
    got = onnx_pipeline.predict(big_features)
    raw_onnx = time.perf_counter() - started
    print(f"  labels equal on all {BATCH_ROWS:,} rows: {bool(np.array_equal(expected, got))}")
    rates = {}
    for name, directory in (("ONNX", model_dir), ("sklearn", sklearn_dir)):
        started = time.perf_counter()
        summary = batch_local.score_folder(folder, work / f"predictions-{name}.csv", directory)
        rates[name] = time.perf_counter() - started
        assert summary["predictions"] == BATCH_ROWS, summary
    print(f"  raw sklearn predict (in memory, all threads): {raw:6.2f} s  {BATCH_ROWS / raw:>10,.0f} rows/s")
    print(f"  raw ONNX predict (in memory, one thread):     {raw_onnx:6.2f} s  {BATCH_ROWS / raw_onnx:>10,.0f} rows/s")
    for name, seconds in rates.items():
        label = f"batch scoring, {name} (files -> CSV):"
        print(f"  {label:45s} {seconds:6.2f} s  {BATCH_ROWS / seconds:>10,.0f} rows/s  ({os.cpu_count()} workers)")
    print(f"  ratio batch scoring with ONNX / raw sklearn predict: {raw / rates['ONNX']:.2f} (goal >= 1.5)")


def deep_learning(scenario: str, work: Path) -> None:
    project = bake({"ml_scenario": scenario}, work / scenario, work / f"config-{scenario}")
    os.chdir(project)
    sys.path.insert(0, str(project / "src"))
    import io
    from contextlib import redirect_stdout

    import mlflow.pyfunc
    import pandas as pd
    import torch
    from my_mlops_project.common import artifacts, loop
    from my_mlops_project.serving.scenario import scoring

    outputs = work / f"outputs-{scenario}"
    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        assert loop.main(["--outputs", str(outputs)]) == 0
    loop_seconds = time.perf_counter() - started
    [run] = outputs.iterdir()
    info = artifacts.read_json(run / "trained" / artifacts.TRAIN_INFO_FILE)
    metrics = mlflow.tracking.MlflowClient().get_run(info["run_id"]).data.metrics
    model_dir = run / "trained" / artifacts.MODEL_DIR
    onnx_bytes = (model_dir / "model.onnx").stat().st_size
    print(
        f"{scenario}: local loop {loop_seconds:.0f} s; ONNX export + check {metrics['onnx_export_seconds']:.2f} s "
        f"of it; model.onnx {onnx_bytes / 1e3:.0f} kB beside the MLflow model's "
        f"{(folder_bytes(model_dir) - onnx_bytes) / 1e3:.0f} kB; max probability difference at export "
        f"{metrics['onnx_max_probability_difference']:.1e}"
    )
    features, _ = artifacts.read_split(run / "prepared", "test")
    column = "image" if scenario == "cv" else "text"
    items = features[column].tolist()
    items = (items * (512 // len(items) + 1))[:512]
    frame = pd.DataFrame({column: items})
    torch.set_num_threads(1)  # as in score.py and the batch workers (threadpool_limits(1))
    original = mlflow.pyfunc.load_model(str(model_dir)).unwrap_python_model()
    models = {"PyTorch": original, "ONNX": scoring.load(model_dir)}
    rates = {}
    for name, model in models.items():
        scoring.predict(model, frame.head(16))  # warm-up
        for size in (1, 64):
            started = time.perf_counter()
            count = 0
            for start in range(0, len(frame), size):
                if size == 1 and start >= 128:
                    break
                scoring.predict(model, frame.iloc[start : start + size])
                count += len(frame.iloc[start : start + size])
            rates[name, size] = count / (time.perf_counter() - started)
    unit = "images" if scenario == "cv" else "texts"
    for size in (1, 64):
        ratio = rates["ONNX", size] / rates["PyTorch", size]
        print(
            f"  {size:2d} {unit} per call: PyTorch {rates['PyTorch', size]:7.0f} {unit}/s  "
            f"ONNX Runtime {rates['ONNX', size]:7.0f} {unit}/s  ratio {ratio:.2f} (goal >= 2)"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("cv", "nlp"):
        with tempfile.TemporaryDirectory() as tmp:
            deep_learning(sys.argv[1], Path(tmp))
        return 0
    only_tabular = "--tabular-only" in sys.argv
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    requests = int(numbers[0]) if numbers else 2000
    clients = int(numbers[1]) if len(numbers) > 1 else 4
    with tempfile.TemporaryDirectory() as tmp:
        tabular(Path(tmp), requests, clients)
    if only_tabular:
        return 0
    # Each deep-learning bake in its own process: every bake's package has the same name.
    for scenario in ("cv", "nlp"):
        print()
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, scenario], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
