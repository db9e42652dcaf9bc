"""Benchmark: wall time from baking the default (tabular) pattern to a registered model.

Does what a user does, each step a subprocess: bake with cookiecutter, then `make loop` in the new
project (dependencies already installed). Prints the time of each phase and the total against the
goal (<= 30 s on 2 cores).

    python benchmarks/bake_to_model.py            # one run
    python benchmarks/bake_to_model.py --runs 3   # several, prints each and the median
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0


def run(command: list[str], cwd: Path, env: dict) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def bake_as_a_user(workdir: Path, *answers: str) -> tuple[Path, dict]:
    """``cookiecutter --no-input`` with ``key=value`` answers, as a subprocess with an isolated config;
    returns the project folder and the environment the project's commands run with."""
    config = workdir / "cookiecutter.json"
    config.write_text(json.dumps({"cookiecutters_dir": str(workdir / "cc"), "replay_dir": str(workdir / "replay")}))
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    env.pop("MLFLOW_TRACKING_URI", None)
    bake = [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(workdir)]
    run([*bake, "--config-file", str(config), *answers], workdir, env)
    return next(p for p in workdir.iterdir() if (p / "Makefile").is_file()), env


def bake_to_model(workdir: Path) -> dict[str, float | str]:
    started = time.perf_counter()
    project, env = bake_as_a_user(workdir)
    baked = time.perf_counter()
    output = run(["make", "loop", f"PYTHON={sys.executable}"], project, env)
    finished = time.perf_counter()
    registered = re.search(r"^registered:\s+(.*)$", output, flags=re.MULTILINE)
    if not registered or "version" not in registered.group(1):
        raise SystemExit(f"the loop registered no model:\n{output[-2000:]}")
    steps = re.search(r"^step seconds:\s+(.*)$", output, flags=re.MULTILINE)
    return {
        "bake": baked - started,
        "loop": finished - baked,
        "total": finished - started,
        "registered": registered.group(1),
        "steps": steps.group(1) if steps else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    totals = []
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bake-to-model-") as tmp:
            result = bake_to_model(Path(tmp))
        totals.append(result["total"])
        print(
            f"run {number}: bake {result['bake']:.1f} s + make loop {result['loop']:.1f} s"
            f" = {result['total']:.1f} s  ({result['registered']}; steps: {result['steps']})"
        )
    median = statistics.median(totals)
    verdict = "met" if median <= GOAL_SECONDS else "MISSED"
    print(f"bake -> registered model: {median:.1f} s (median of {len(totals)}); goal <= {GOAL_SECONDS:.0f} s {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
