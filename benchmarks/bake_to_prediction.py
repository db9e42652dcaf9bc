"""Benchmark: wall time from baking a deep-learning pattern (cv, nlp) to its first local prediction.

Does what a user does, each step a subprocess, dependencies already installed: bake with
cookiecutter, `make loop` (prep, train, evaluate, register), then the first prediction with the
inference server Azure ML uses (`make smoke`, online) or the batch scoring code (`make batch`).
Prints each phase and the total against the goal (<= 120 s per scenario on 2 cores).

    python benchmarks/bake_to_prediction.py                     # cv and nlp, online
    python benchmarks/bake_to_prediction.py --mode batch --runs 3
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bake_to_model import bake_as_a_user, run  # the benchmarks bake and run commands the same way

GOAL_SECONDS = 120.0
FIRST_PREDICTION = {"online": "smoke", "batch": "batch"}


def bake_to_prediction(workdir: Path, scenario: str, mode: str) -> dict[str, float | str]:
    started = time.perf_counter()
    project, env = bake_as_a_user(workdir, f"ml_scenario={scenario}", f"deployment_mode={mode}")
    baked = time.perf_counter()
    loop = run(["make", "loop", f"PYTHON={sys.executable}"], project, env)
    trained = time.perf_counter()
    predicted = run(["make", FIRST_PREDICTION[mode], f"PYTHON={sys.executable}"], project, env)
    finished = time.perf_counter()
    if not re.search(r"^registered:\s+.*version", loop, flags=re.MULTILINE):
        raise SystemExit(f"the loop registered no model:\n{loop[-2000:]}")
    outcome = re.search(r"(smoke test passed: .*|scored .*)$", predicted, flags=re.MULTILINE)
    if not outcome:
        raise SystemExit(f"no prediction:\n{predicted[-2000:]}")
    steps = re.search(r"^step seconds:\s+(.*)$", loop, flags=re.MULTILINE)
    return {
        "bake": baked - started,
        "loop": trained - baked,
        "predict": finished - trained,
        "total": finished - started,
        "outcome": outcome.group(1),
        "steps": steps.group(1) if steps else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["cv", "nlp"], action="append", help="default: both")
    parser.add_argument("--mode", choices=sorted(FIRST_PREDICTION), default="online")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, mode {args.mode}")
    for scenario in args.scenario or ["cv", "nlp"]:
        totals = []
        for number in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory(prefix=f"bake-to-prediction-{scenario}-") as tmp:
                result = bake_to_prediction(Path(tmp), scenario, args.mode)
            totals.append(result["total"])
            print(
                f"{scenario} run {number}: bake {result['bake']:.1f} s + make loop {result['loop']:.1f} s"
                f" + make {FIRST_PREDICTION[args.mode]} {result['predict']:.1f} s = {result['total']:.1f} s"
                f"  ({result['outcome']}; loop steps: {result['steps']})"
            )
        median = statistics.median(totals)
        met = median <= GOAL_SECONDS
        print(
            f"{scenario}: bake -> first prediction {median:.1f} s (median of {len(totals)});"
            f" goal <= {GOAL_SECONDS:.0f} s {'met' if met else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
