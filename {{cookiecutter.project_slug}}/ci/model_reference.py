"""Print ``NAME VERSION`` of an Azure ML model reference, for ci/promote.sh.

A deployment's ``model`` is shown as an ARM id (``.../models/<name>/versions/<version>``), a
registry URI (``azureml://registries/<r>/models/<name>/versions/<version>``) or a short form
(``azureml:<name>:<version>``); all three name the same two values.
"""

from __future__ import annotations

import re
import sys

PATTERNS = (
    re.compile(r"/models/(?P<name>[A-Za-z0-9_.-]+)/versions/(?P<version>[A-Za-z0-9_.-]+)$"),
    re.compile(r"^azureml:(?P<name>[A-Za-z0-9_.-]+):(?P<version>[A-Za-z0-9_.-]+)$"),
)


def parse(reference: str) -> tuple[str, str]:
    for pattern in PATTERNS:
        match = pattern.search(reference.strip())
        if match:
            return match["name"], match["version"]
    raise ValueError(f"not a versioned model reference: {reference!r}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: model_reference.py REFERENCE", file=sys.stderr)
        return 2
    try:
        name, version = parse(argv[0])
    except ValueError as error:
        print(f"model_reference: {error}", file=sys.stderr)
        return 1
    print(name, version)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
