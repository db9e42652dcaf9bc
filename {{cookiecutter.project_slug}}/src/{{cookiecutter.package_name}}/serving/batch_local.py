"""Score a folder of input files into one output file, with the batch endpoint's code: ``make batch``.

Files go through ``batch_score.run`` in mini-batches, as on the batch endpoint; the output is the
header plus every line it returned (predictions, and an ``error`` for bad rows or files).
Mini-batches run in parallel worker processes, one per CPU core by default, as the endpoint runs
``max_concurrency_per_instance`` of them per node.

    python -m {{ cookiecutter.package_name }}.serving.batch_local --input data/batch-sample --output outputs/batch/predictions.csv
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from threadpoolctl import threadpool_limits

from ..config import PROJECT_ROOT
from ..{{ cookiecutter.ml_scenario }}.scoring import BATCH_SAMPLE
from . import batch_score, champion
from .model import MODEL_DIR_VARIABLE

# Same as mini_batch_size in mlops/azureml/deploy/batch/deployment.yml.
MINI_BATCH_SIZE = 10


def _start_worker(model_dir: str, one_thread: bool = True) -> None:
    os.environ[MODEL_DIR_VARIABLE] = model_dir
    batch_score.init()
    if one_thread:
        # The workers share the cores: one thread each, not a thread pool per worker fighting for them.
        threadpool_limits(1)


def _parallel(workers: int) -> bool:
    # Forked workers start in milliseconds; where fork is not available, stay in this process.
    return workers > 1 and "fork" in multiprocessing.get_all_start_methods()


def score_folder(
    folder: Path, output: Path, model_dir: Path, mini_batch_size: int = MINI_BATCH_SIZE, workers: int | None = None
) -> dict:
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise SystemExit(f"no files to score in {folder}")
    batches = [[str(p) for p in files[i : i + mini_batch_size]] for i in range(0, len(files), mini_batch_size)]
    workers = min(workers or os.cpu_count() or 1, len(batches))
    output.parent.mkdir(parents=True, exist_ok=True)
    counts = {"files": len(files), "lines": 0, "predictions": 0, "errors": 0}
    with output.open("w", encoding="utf-8", newline="") as out:
        out.write(batch_score.header() + "\n")
        if _parallel(workers):
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, context, _start_worker, (str(model_dir),)) as pool:
                results = list(pool.map(batch_score.run, batches))  # in input order
        else:
            _start_worker(str(model_dir), one_thread=False)
            results = map(batch_score.run, batches)
        for lines in results:
            out.writelines(line + "\n" for line in lines)
            errors = sum(1 for line in lines if not line.endswith(","))  # the error column is last
            counts["lines"] += len(lines)
            counts["errors"] += errors
            counts["predictions"] += len(lines) - errors
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score every file of a folder into one CSV file.")
    parser.add_argument("--input", type=Path, default=PROJECT_ROOT / BATCH_SAMPLE)
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "outputs" / "batch" / "predictions.csv")
    parser.add_argument("--model-dir", type=Path, default=None, help="score with this MLflow model folder instead")
    parser.add_argument("--mini-batch-size", type=int, default=MINI_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=None, help="parallel processes (default: CPU cores)")
    args = parser.parse_args(argv)
    model_dir = args.model_dir or champion.export()
    summary = score_folder(args.input, args.output, model_dir, args.mini_batch_size, args.workers)
    print(
        f"scored {summary['files']} files: {summary['predictions']} predictions, "
        f"{summary['errors']} items or files with errors -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
