"""Shared by the GitHub and Azure Pipelines graph checks: line numbers, ancestors, outputs that scripts set."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

# A CI script names the scripts it runs as ci/<name>.sh (directly or through $CI_DIR).
SCRIPT_PATH = re.compile(r"(?:^|[\s/\"'])(ci/[\w.-]+\.sh)\b")


def load(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def line_of(text: str, pattern: str, default: int = 1) -> int:
    """1-based line of the first match of a regular expression (multiline), for messages."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else default


def key_line(text: str, key: str, after: int = 1) -> int:
    """Line of `key:` (a mapping key at any indentation), searching from line `after`."""
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*-?\s*{re.escape(key)}:(\s|$)")
    for number in range(max(after, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return after


def ancestors(node: str, parents: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every transitive dependency of `node`, each with the path of names that leads to it."""
    found: dict[str, list[str]] = {}
    stack = [(parent, [parent]) for parent in parents.get(node, [])]
    while stack:
        name, path = stack.pop()
        if name in found or name == node:
            continue
        found[name] = path
        stack.extend((parent, [*path, parent]) for parent in parents.get(name, []))
    return found


def script_texts(root: Path, text: str, seen: set[str] | None = None) -> list[str]:
    """The text itself and every ci/*.sh it runs, recursively (a script may hand over to another)."""
    seen = set() if seen is None else seen
    texts = [text]
    for relative in SCRIPT_PATH.findall(text):
        path = root / relative
        if relative in seen or not path.is_file():
            continue
        seen.add(relative)
        texts += script_texts(root, path.read_text(encoding="utf-8"), seen)
    return texts


def ci_output_sets_output(root: Path) -> bool:
    """ci/common.sh's ci_output writes a GitHub step output and an Azure Pipelines output variable."""
    common = root / "ci" / "common.sh"
    if not common.is_file():
        return False
    body = common.read_text(encoding="utf-8").split("ci_output()", 1)[-1].split("\n}", 1)[0]
    return "GITHUB_OUTPUT" in body and "isoutput=true" in body


def sets_output(root: Path, texts: list[str], name: str, platform: str) -> bool:
    """Whether a step's script (or a script it runs) sets output `name` on this platform."""
    via_helper = re.compile(rf"\bci_output\s+[\"']?{re.escape(name)}\b")
    if platform == "github":
        direct = re.compile(rf"\b{re.escape(name)}=.*GITHUB_OUTPUT")
    else:
        direct = re.compile(rf"##vso\[task\.setvariable variable={re.escape(name)};[^\]]*isoutput=true", re.IGNORECASE)
    for text in texts:
        if direct.search(text):
            return True
        if via_helper.search(text) and ci_output_sets_output(root):
            return True
    return False
