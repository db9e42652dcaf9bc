"""Fixtures shared by the template's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from baking import bake


class Baker:
    """Bakes each distinct set of answers once per test session and hands out the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple, Path] = {}

    def __call__(self, **answers) -> Path:
        key = tuple(sorted((k, str(v)) for k, v in answers.items()))
        if key not in self.cache:
            out = self.root / f"bake{len(self.cache)}"
            self.cache[key] = bake(answers, out, self.root / f"config{len(self.cache)}")
        return self.cache[key]


@pytest.fixture(scope="session")
def baked(tmp_path_factory) -> Baker:
    """``baked(infrastructure="bicep", ...)`` -> path of the generated project (cached per session)."""
    return Baker(tmp_path_factory.mktemp("bakes"))
