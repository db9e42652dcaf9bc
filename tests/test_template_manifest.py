"""The manifest and the post-gen hook that applies it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlops_template import manifest, options

TEMPLATE = options.TEMPLATE_ROOT
ANSWERS = {**options.defaults(), "package_name": "pkg"}


def test_manifest_options_and_values_exist_in_cookiecutter_json():
    for option, by_value in manifest.load_manifest().items():
        assert set(by_value) <= set(options.choices(option)), option


def test_every_manifest_path_exists_in_the_project_template():
    files = manifest.template_files(TEMPLATE)
    for path in manifest.ownership():
        unrendered = path.replace("{package_name}", "{{cookiecutter.package_name}}")
        assert any(manifest._covers(unrendered, f) for f in files), path


def test_a_path_owned_by_two_options_needs_both():
    fake = {"ml_scenario": {"tabular": ["x"]}, "deployment_mode": {"online": ["x"]}}
    assert (
        manifest.paths_to_remove({"ml_scenario": "tabular", "deployment_mode": "online", "package_name": "p"}, fake)
        == []
    )
    assert manifest.paths_to_remove(
        {"ml_scenario": "tabular", "deployment_mode": "batch", "package_name": "p"}, fake
    ) == ["x"]
    assert manifest.paths_to_remove({"ml_scenario": "cv", "deployment_mode": "online", "package_name": "p"}, fake) == [
        "x"
    ]


def test_a_path_listed_under_two_values_of_one_option_is_kept_for_either():
    fake = {"ml_scenario": {"cv": ["deep"], "nlp": ["deep"]}, "deployment_mode": {"online": ["deep"]}}
    for scenario, mode, removed in [
        ("cv", "online", []),
        ("nlp", "online", []),
        ("tabular", "online", ["deep"]),
        ("nlp", "batch", ["deep"]),
    ]:
        answers = {"ml_scenario": scenario, "deployment_mode": mode, "package_name": "p"}
        assert manifest.paths_to_remove(answers, fake) == removed, (scenario, mode)


def test_a_pattern_removes_every_file_it_matches_and_nothing_else(tmp_path, monkeypatch):
    fake = {"ml_scenario": {"cv": ["tests/test_cv_*.py"], "nlp": ["tests/test_nlp_*.py"]}}
    monkeypatch.setattr(manifest, "load_manifest", lambda: fake)
    files = ["tests/test_cv_prep.py", "tests/test_cv_train.py", "tests/test_nlp_prep.py", "tests/test_cvx.txt"]
    _fake_project(tmp_path, files)
    removed = manifest.remove_unselected(tmp_path, {"ml_scenario": "nlp", "package_name": "pkg"})
    assert sorted(p.name for p in removed) == ["test_cv_prep.py", "test_cv_train.py"]
    assert sorted(p.name for p in (tmp_path / "tests").iterdir()) == ["test_cvx.txt", "test_nlp_prep.py"]


def _fake_project(root: Path, relative_files: list[str]) -> None:
    for relative in relative_files:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("x", encoding="utf-8")


def test_removal_is_idempotent_and_prunes_emptied_folders(tmp_path, monkeypatch):
    fake = {"infrastructure": {"terraform": ["infra/terraform"], "bicep": ["infra/bicep", "docs/bicep.md"]}}
    monkeypatch.setattr(manifest, "load_manifest", lambda: fake)
    _fake_project(tmp_path, ["infra/terraform/main.tf", "infra/bicep/main.bicep", "docs/bicep.md", "README.md"])
    answers = {"infrastructure": "terraform", "package_name": "pkg"}
    removed = manifest.remove_unselected(tmp_path, answers)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in removed) == ["docs/bicep.md", "infra/bicep"]
    assert not (tmp_path / "docs").exists()  # emptied by the removal
    assert manifest.remove_unselected(tmp_path, answers) == []  # second run: nothing to do
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "README.md",
        "infra/terraform/main.tf",
    ]


@pytest.mark.parametrize("bad_path", ["../outside", "/etc", "a/../../outside", "."])
def test_removal_refuses_paths_outside_the_project(tmp_path, monkeypatch, bad_path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside").write_text("precious", encoding="utf-8")
    monkeypatch.setattr(manifest, "load_manifest", lambda: {"infrastructure": {"bicep": [bad_path]}})
    with pytest.raises(ValueError, match="outside the project"):
        manifest.remove_unselected(project, {"infrastructure": "terraform", "package_name": "pkg"})
    assert (tmp_path / "outside").read_text(encoding="utf-8") == "precious"


def test_hooks_are_valid_python_with_answers_as_data():
    for hook in (TEMPLATE / "hooks").glob("*.py"):
        tree = ast.parse(hook.read_text(encoding="utf-8"))
        assert any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body), hook
        assert "{{ cookiecutter | tojson }}" in hook.read_text(encoding="utf-8")


def test_post_gen_hook_rerun_changes_nothing(baked):
    """cruft re-runs the post-gen hook on every update: a second run must be a no-op."""
    project = baked()
    before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
    context = baked.context(project)
    rendered = (TEMPLATE / "hooks" / "post_gen_project.py").read_text(encoding="utf-8")
    rendered = rendered.replace("{{ cookiecutter | tojson }}", json.dumps(context))
    rendered = rendered.replace("{{ mlops_template_root | tojson }}", json.dumps(str(TEMPLATE)))
    subprocess.run([sys.executable, "-c", rendered], cwd=project, check=True, timeout=60)
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == before


def test_manifest_is_yaml_with_lists_of_relative_paths():
    data = yaml.safe_load(manifest.MANIFEST_PATH.read_text(encoding="utf-8"))
    for by_value in data.values():
        for paths in by_value.values():
            for path in paths or []:
                assert not path.startswith("/") and ".." not in path, path
