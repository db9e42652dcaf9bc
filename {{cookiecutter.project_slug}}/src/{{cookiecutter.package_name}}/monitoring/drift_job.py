"""The drift report as an Azure ML pipeline step: ``make drift`` on the data the deployment received.

mlops/azureml/monitoring/drift-pipeline/ runs this weekly (schedule.yml, created by ci/deploy.sh), for teams that
prefer a report they own to the managed model monitor (docs/observability.md compares both). ``--collected`` is
either the data collector's folder (JSON Lines under ``<endpoint>/<deployment>/model_inputs/``, one event per
request with its rows under ``data`` and its time under ``time``) or the files sent to the batch endpoint. The
step writes the same report.md, drift.json and plots as ``make drift`` to ``--output`` and fails on drift.

    python -m {{ cookiecutter.package_name }}.monitoring.drift_job --collected <folder> \\
        --reference <training data> --output <folder>
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from . import drift


def collected_rows(folder: Path, days: int, now: datetime | None = None) -> pd.DataFrame:
    """The rows of every request logged in the last ``days`` days, from the collector's model_inputs files."""
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    rows = []
    for path in sorted(Path(folder).rglob("*.jsonl")):
        if "model_inputs" not in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            event = json.loads(line)
            logged = event.get("time")
            if logged and datetime.fromisoformat(logged.replace("Z", "+00:00")) < since:
                continue
            rows.extend(row for row in event.get("data") or [] if isinstance(row, dict))
    return pd.DataFrame(rows)


def current_data(collected: Path, days: int, scratch: Path) -> Path | None:
    """A file or folder ``make drift`` reads: the flattened collected requests, or the batch files as they are."""
    if not any(Path(collected).rglob("*.jsonl")):
        return collected if any(p.is_file() for p in Path(collected).rglob("*")) else None
    rows = collected_rows(collected, days)
    if rows.empty:
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    rows.to_csv(scratch / "production.csv", index=False)
    return scratch / "production.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Drift report of collected production data (Azure ML step).")
    parser.add_argument("--collected", type=Path, required=True, help="data collector folder or batch input files")
    parser.add_argument("--reference", type=Path, required=True, help="training data")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--days", type=int, default=7, help="how far back collected requests count")
    parser.add_argument("--env", default="dev", help="config/<env>.yml to read thresholds from")
    args = parser.parse_args(argv)
    current = current_data(args.collected, args.days, args.output / "current")
    if current is None:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "report.md").write_text(f"# Drift report\n\nNo production data in the last {args.days} days.\n")
        print(f"no production data in the last {args.days} days: nothing to compare")
        return 0
    try:
        limits = drift.thresholds(args.env)
    except ValueError:  # the job's code is src/ only: config/ stays behind, its drift values are the defaults
        limits = {**drift.DEFAULT_THRESHOLDS, "psi_threshold_source": "the defaults of monitoring/drift.py"}
    # No champion on the compute: prediction drift is the monitor's (or `make drift`'s) part.
    summary = drift.report(current, args.reference, args.output, limits, model=None)
    print(drift.console_table(summary))
    if summary["drift_detected"]:
        print(f"drift detected in {summary['drifted_features']} feature(s): {', '.join(summary['drifted'])}")
        return 1
    print("no significant drift")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
