"""Print one setting for CI scripts: ``python ci/settings.py dev azure.workspace``.

CI reads every Azure name from ``config/<env>.yml`` (the same file the code uses) instead of
repeating names in pipeline variables. Values are checked against a strict pattern before they
reach a shell, so a config value can never become a command.
``--file PATH KEY`` reads a key of any YAML file (e.g. a deployment's name). A number picks a list
item (``data_assets.0.name``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:/-]*$")


def lookup(data: object, dotted_key: str) -> object:
    for part in dotted_key.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]  # an item of a list: data_assets.0.spec
            continue
        if not isinstance(data, dict) or part not in data:
            raise KeyError(f"missing key {dotted_key!r} (stopped at {part!r})")
        data = data[part]
    return data


def read(path: Path, dotted_key: str) -> str:
    value = lookup(yaml.safe_load(path.read_text(encoding="utf-8")), dotted_key)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise TypeError(f"{dotted_key!r} in {path} is not a single value: {value!r}")
    if not SAFE_VALUE.match(text):
        raise ValueError(f"{dotted_key!r} in {path} has characters CI does not accept: {text!r}")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="read KEY from this YAML file instead of config/<env>.yml")
    parser.add_argument("args", nargs="+", metavar="[ENV] KEY")
    options = parser.parse_args(argv)
    if options.file:
        if len(options.args) != 1:
            parser.error("with --file give only KEY")
        path, key = options.file, options.args[0]
    else:
        if len(options.args) != 2:
            parser.error("give ENV and KEY")
        env, key = options.args
        if not re.fullmatch(r"[a-z0-9]+", env):
            parser.error(f"bad environment name {env!r}")
        path = PROJECT_ROOT / "config" / f"{env}.yml"
    try:
        print(read(path, key))
    except (OSError, KeyError, TypeError, ValueError) as error:
        print(f"settings: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
