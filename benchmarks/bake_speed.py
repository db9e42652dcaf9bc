"""Bake time of every pattern against the floor: a one-file template baked the same way.

Each bake is a whole `python -m cookiecutter --no-input` process, as a user runs it, so the
figure includes interpreter start, hooks and validation. Prints the median of REPEATS runs per
pattern and the ratio to the floor (goal: <= 2x). Run: python benchmarks/bake_speed.py [REPEATS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mlops_template import options


def _bake_seconds(template: Path, answers: dict, work: Path) -> float:
    out = Path(tempfile.mkdtemp(dir=work))
    config = work / "config.json"
    config.write_text(json.dumps({"replay_dir": str(work / "replay"), "cookiecutters_dir": str(work / "cc")}))
    cmd = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config), "-o", str(out)]
    cmd += [str(template)] + [f"{k}={v}" for k, v in answers.items()]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def _trivial_template(work: Path) -> Path:
    root = work / "trivial"
    (root / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (root / "cookiecutter.json").write_text(json.dumps({"project_slug": "trivial"}))
    (root / "{{cookiecutter.project_slug}}" / "README.md").write_text("# {{ cookiecutter.project_slug }}\n")
    return root


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        trivial = _trivial_template(work)
        floor = statistics.median(_bake_seconds(trivial, {}, work) for _ in range(repeats))
        print(f"floor (one-file template): {floor:.3f} s (median of {repeats})")
        ratios = []
        for pattern in options.core_patterns():
            seconds = statistics.median(_bake_seconds(options.TEMPLATE_ROOT, pattern, work) for _ in range(repeats))
            ratios.append(seconds / floor)
            print(f"{options.pattern_id(pattern):45s} {seconds:.3f} s  {seconds / floor:.2f}x")
        print(f"ratio to floor: median {statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
