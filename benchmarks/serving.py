"""Serving speed of a fresh bake: the scoring server Azure ML uses vs MLflow's, and batch vs raw predict.

1. Online: the same model (the tabular champion's pipeline, default parameters, full shipped data)
   behind azureml-inference-server-http with the baked score.py, and behind
   `mlflow models serve --env-manager local`; both with one worker on 127.0.0.1. Measures p50
   single-row latency (sequential requests) and throughput of a bounded load (REQUESTS single-row
   requests from CLIENTS concurrent clients); counts non-200 answers as errors.
   Goals: throughput ratio azmlinfsrv/mlflow >= 1.0, p50 <= 5 ms, 0 errors.
2. Batch: the baked batch scoring (files -> contract check -> predict -> one CSV, mini-batches in
   parallel processes as `make batch` runs them) on 1M rows in 20 parquet files vs raw
   `model.predict` on the same rows in memory. Goal: >= 0.8x rows/s.

Run: python benchmarks/serving.py [REQUESTS] [CLIENTS]      (defaults 2000 and 4)
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mlops_template.baking import bake

HOST = "127.0.0.1"
PACKAGE = "my_mlops_project"
BATCH_ROWS = 1_000_000
BATCH_FILES = 20  # two mini-batches of 10 files: the local batch command scores them in parallel
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def stop(process: subprocess.Popen) -> None:
    # Each server runs in its own session: its process group id is its PID.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def post(connection: http.client.HTTPConnection, path: str, body: bytes) -> int:
    connection.request("POST", path, body, {"Content-Type": "application/json"})
    answer = connection.getresponse()
    answer.read()
    return answer.status


def measure(port: int, path: str, bodies: list[bytes], requests: int, clients: int) -> dict:
    single = http.client.HTTPConnection(HOST, port, timeout=30)
    for body in bodies[:20]:  # warm-up
        post(single, path, body)
    latencies = []
    for body in bodies[:300]:
        started = time.perf_counter()
        status = post(single, path, body)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    single.close()

    def client(index: int) -> list[int]:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        statuses = [post(connection, path, bodies[i % len(bodies)]) for i in range(index, requests, clients)]
        connection.close()
        return statuses

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = [s for chunk in pool.map(client, range(clients)) for s in chunk]
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": statistics.quantiles(latencies, n=20)[-1],
        "rps": len(statuses) / elapsed,
        "errors": sum(s != 200 for s in statuses),
        "requests": len(statuses),
    }


def main() -> int:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = bake({}, work / "online", work / "config")
        batch_project = bake({"deployment_mode": "batch"}, work / "batch", work / "config-batch")
        sys.path.insert(0, str(project / "src"))
        import mlflow.sklearn
        import pandas as pd
        from my_mlops_project.serving.server import LocalServer, free_port
        from my_mlops_project.tabular import train
        from my_mlops_project.tabular.contract import load_contract, validate

        contract = load_contract()
        rows = validate(pd.read_csv(project / "data/credit_default.csv")).valid
        features = rows[contract.feature_names]
        started = time.perf_counter()
        model = train.build_pipeline(**train.DEFAULTS).fit(features, rows[contract.target.name])
        print(f"trained the default pipeline on {len(rows)} rows in {time.perf_counter() - started:.1f} s")
        model_dir = work / "model"
        mlflow.sklearn.save_model(
            model,
            model_dir,
            skops_trusted_types=train.SKOPS_TRUSTED_TYPES,
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
        )
        records = json.loads(features.head(500).to_json(orient="records"))

        print(f"\nonline: {requests} single-row requests from {clients} clients, plus 300 sequential for latency")
        results = {}
        server = LocalServer(model_dir, log_path=work / "azmlinfsrv.log")
        try:
            server.start()
            bodies = [json.dumps({"data": [r]}).encode() for r in records]
            results["azmlinfsrv + score.py"] = measure(server.port, "/score", bodies, requests, clients)
        finally:
            server.stop()
        port = free_port()
        command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(model_dir)]
        command += ["--env-manager", "local", "-h", HOST, "-p", str(port), "--workers", "1"]
        with (work / "mlflow.log").open("w") as log:
            process = subprocess.Popen(command, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_until_up(f"http://{HOST}:{port}/ping", process)
                bodies = [json.dumps({"dataframe_records": [r]}).encode() for r in records]
                results["mlflow models serve"] = measure(port, "/invocations", bodies, requests, clients)
            finally:
                stop(process)
        for name, r in results.items():
            print(
                f"  {name:24s} p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  "
                f"{r['rps']:.0f} req/s  errors {r['errors']}/{r['requests']}"
            )
        ratio = results["azmlinfsrv + score.py"]["rps"] / results["mlflow models serve"]["rps"]
        print(f"  throughput ratio azmlinfsrv/mlflow: {ratio:.2f} (goal >= 1.0)")

        print(f"\nbatch: {BATCH_ROWS} rows in {BATCH_FILES} parquet files")
        sys.path.insert(0, str(batch_project / "src"))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]  # the batch bake's package has the batch modules
        from my_mlops_project.serving import batch_local

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
        model.predict(big_features)
        raw = time.perf_counter() - started
        started = time.perf_counter()
        summary = batch_local.score_folder(folder, work / "predictions.csv", model_dir)
        scored = time.perf_counter() - started
        assert summary["predictions"] == BATCH_ROWS, summary
        print(f"  raw model.predict (in memory):   {raw:6.2f} s  {BATCH_ROWS / raw:>10,.0f} rows/s")
        rate = BATCH_ROWS / scored
        print(f"  batch scoring (files -> CSV):    {scored:6.2f} s  {rate:>10,.0f} rows/s  ({os.cpu_count()} workers)")
        print(f"  ratio batch/raw: {raw / scored:.2f} (goal >= 0.8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
