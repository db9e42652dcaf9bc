"""Fixtures shared by the template's tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_template.baking import bake


class Baker:
    """Bakes each distinct set of answers once per test session and hands out the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple, Path] = {}

    def __call__(self, **answers) -> Path:
        key = tuple(sorted((k, str(v)) for k, v in answers.items()))
        if key not in self.cache:
            number = len(self.cache)
            self.cache[key] = bake(answers, self.root / f"bake{number}", self.root / f"config{number}")
        return self.cache[key]

    def context(self, project_dir: Path) -> dict:
        """The full answers of a bake (derived values included), from cookiecutter's replay file."""
        config_dir = self.root / project_dir.parent.name.replace("bake", "config")
        (replay,) = (config_dir / "replay").glob("*.json")
        return json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]


@pytest.fixture(scope="session")
def baked(tmp_path_factory) -> Baker:
    """``baked(infrastructure="bicep", ...)`` -> path of the generated project (cached per session)."""
    return Baker(tmp_path_factory.mktemp("bakes"))
