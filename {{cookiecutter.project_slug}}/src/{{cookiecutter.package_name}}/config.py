"""Per-environment settings, read from ``config/<environment>.yml``.

One file per environment keeps Azure names, compute sizes and deployment settings out of the
code, so the same code runs against dev and prod (and locally, where only the paths matter).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_ROOT / "config"


def environments() -> list[str]:
    return sorted(path.stem for path in CONFIG_DIR.glob("*.yml"))


def load_config(environment: str) -> dict:
    path = CONFIG_DIR / f"{environment}.yml"
    if not path.is_file():
        known = ", ".join(environments())
        raise ValueError(f"unknown environment {environment!r}: expected one of {known} (files in {CONFIG_DIR})")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the settings of one environment as JSON.")
    parser.add_argument("environment", choices=environments())
    args = parser.parse_args(argv)
    print(json.dumps(load_config(args.environment), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
