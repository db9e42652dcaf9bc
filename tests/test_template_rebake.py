"""Baking over an existing project (``-f``, ``-f -s``) never loses what the user added or edited.

Cookiecutter's ``overwrite_if_exists`` (``-f``) writes every template file into the existing folder and
``skip_if_file_exists`` (``-s``) leaves existing files alone (cookiecutter 2.7 ``generate.generate_file``);
then our post-gen step removes the paths the chosen pattern excludes. It may remove only what this bake wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_template import manifest
from mlops_template.baking import bake

MODES = {"-f": {"overwrite_if_exists": True}, "-f -s": {"overwrite_if_exists": True, "skip_if_file_exists": True}}


def _first_bake(tmp_path: Path, answers: dict) -> Path:
    return bake(answers, tmp_path / "out", tmp_path / "config1")


def _rebake(tmp_path: Path, answers: dict, mode: str) -> Path:
    return bake(answers, tmp_path / "out", tmp_path / "config2", **MODES[mode])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("excluded", "relative", "content"),
    [
        (".azuredevops", ".azuredevops/custom.yml", "trigger: none\n# our own pipeline\n"),
        ("infrastructure/bicep", "infrastructure/bicep/extra.bicep", "param note string = 'ours'\n"),
    ],
)
def test_files_the_user_added_under_an_excluded_path_survive_a_rebake(tmp_path, mode, excluded, relative, content):
    answers = {"infrastructure": "terraform", "ci_platform": "github_actions"}
    project = _first_bake(tmp_path, answers)
    (project / relative).parent.mkdir(parents=True, exist_ok=True)
    (project / relative).write_text(content, encoding="utf-8")

    _rebake(tmp_path, answers, mode)

    assert (project / relative).read_text(encoding="utf-8") == content, "the user's file was lost"
    # and nothing else of the excluded option was left there by the bake
    assert sorted(p.relative_to(project).as_posix() for p in (project / excluded).rglob("*")) == [relative]


@pytest.mark.parametrize("mode", MODES)
def test_an_edited_scenario_folder_survives_a_rebake_with_another_scenario(tmp_path, mode):
    project = _first_bake(tmp_path, {"ml_scenario": "tabular"})
    tabular = next((project / "src").iterdir()) / "tabular"
    edited = sorted(tabular.glob("*.py"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# our change\n", encoding="utf-8")
    (tabular / "ours.py").write_text("VALUE = 1\n", encoding="utf-8")
    before = _snapshot(tabular)

    _rebake(tmp_path, {"ml_scenario": "nlp"}, mode)

    assert _snapshot(tabular) == before, "the user's tabular folder changed"
    assert (next((project / "src").iterdir()) / "nlp").is_dir()


def test_a_fresh_bake_keeps_nothing_aside(tmp_path):
    project = _first_bake(tmp_path, {"ci_platform": "azure_devops"})
    assert not (project / ".github").exists()
    assert not manifest.keep_folder(project, os.getpid()).exists()


def test_the_kept_copy_is_removed_after_a_rebake(tmp_path):
    project = _first_bake(tmp_path, {})
    (project / ".azuredevops").mkdir()
    (project / ".azuredevops" / "custom.yml").write_text("x: 1\n", encoding="utf-8")
    _rebake(tmp_path, {}, "-f")
    assert (project / ".azuredevops" / "custom.yml").is_file()
    # the hooks run as children of this process: the copy they shared is gone
    assert not manifest.keep_folder(project, os.getpid()).exists()


def test_kept_files_go_back_byte_for_byte_and_the_copy_goes(tmp_path):
    project = tmp_path / "p"
    (project / ".azuredevops").mkdir(parents=True)
    (project / ".azuredevops" / "custom.yml").write_bytes(b"ours\r\n")
    answers = {**_default_answers(), "package_name": "pkg"}
    assert manifest.keep_existing(project, answers) == [".azuredevops"]
    assert manifest.keep_folder(project).is_dir()
    manifest.remove_unselected(project, answers)
    assert not (project / ".azuredevops").exists()
    assert manifest.restore_kept(project) == [".azuredevops/custom.yml"]
    assert (project / ".azuredevops" / "custom.yml").read_bytes() == b"ours\r\n"
    assert not manifest.keep_folder(project).exists()


def _default_answers() -> dict:
    from mlops_template import options

    return options.defaults()
