"""A repository generated with cruft takes later template changes and keeps its own edits.

The whole cycle a platform team runs, offline: the template is a local git repository (a copy of
this working tree), the project is generated from its first commit with ``cruft create``, a user
edits and commits it, the template gets a new commit, ``cruft update`` merges that in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_template import options

# Not part of the template: version control, caches, built sites, installed Node tools.
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", ".benchmarks", ".venv", "node_modules",
    "site", "*.egg-info",
)  # fmt: skip

USER_NOTE = "## Team notes\n\nOn call for this model: the credit data team.\n"
TEMPLATE_NOTE = "> Kept up to date from the MLOps template with `cruft update`."
NEW_TEMPLATE_FILE = "CONTRIBUTING.md"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """Git identity and isolated git/cookiecutter configuration for every command of the test."""
    config = tmp_path / "cookiecutter-config.json"
    config.write_text(
        json.dumps({"cookiecutters_dir": str(tmp_path / "cookiecutters"), "replay_dir": str(tmp_path / "replay")}),
        encoding="utf-8",
    )
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "Template Test",
        "GIT_AUTHOR_EMAIL": "template-test@example.com",
        "GIT_COMMITTER_NAME": "Template Test",
        "GIT_COMMITTER_EMAIL": "template-test@example.com",
        # The developer's own git settings (signing, hooks, default branch) must not change the result.
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "COOKIECUTTER_CONFIG": str(config),
    }


def run(command: list[str], cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return run(["git", *args], cwd, env).stdout.strip()


def cruft(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "cruft", *args], cwd, env, check=check)


def commit_all(repo: Path, env: dict[str, str], message: str) -> str:
    git(repo, env, "add", "--all")
    git(repo, env, "commit", "--quiet", "--message", message)
    return git(repo, env, "rev-parse", "HEAD")


def template_repository(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A copy of this working tree as a git repository with one commit; returns it and the commit."""
    template = tmp_path / "template"
    shutil.copytree(options.TEMPLATE_ROOT, template, ignore=NOT_TEMPLATE)
    git(template, env, "init", "--quiet", "--initial-branch", "main")
    return template, commit_all(template, env, "old")


def cruft_create(template: Path, output_dir: Path, env: dict[str, str], answers: dict | None = None) -> Path:
    """``cruft create --no-input`` as the docs tell users to run it; returns the project folder."""
    extra = ["--extra-context", json.dumps(answers)] if answers else []
    cruft(template.parent, env, "create", "--no-input", "--output-dir", str(output_dir), *extra, str(template))
    (project,) = output_dir.iterdir()
    return project


def files_of(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts and path.name != ".cruft.json"
    }


def test_cruft_update_brings_template_changes_and_keeps_user_edits(tmp_path, env):
    template, old = template_repository(tmp_path, env)
    project = cruft_create(template, tmp_path / "projects", env)
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert recorded["commit"] == old
    assert recorded["context"]["cookiecutter"]["infrastructure"] == options.defaults()["infrastructure"]
    git(project, env, "init", "--quiet", "--initial-branch", "main")
    commit_all(project, env, "Generated from the template")

    # The user edits a generated file and commits.
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n" + USER_NOTE, encoding="utf-8")
    commit_all(project, env, "Our notes")

    # The template improves: a line in a file the user also edited (far from their edit), and a new file.
    readme_template = template / "{{cookiecutter.project_slug}}" / "README.md"
    title, rest = readme_template.read_text(encoding="utf-8").split("\n", 1)
    readme_template.write_text(f"{title}\n\n{TEMPLATE_NOTE}\n{rest}", encoding="utf-8")
    (template / "{{cookiecutter.project_slug}}" / NEW_TEMPLATE_FILE).write_text(
        "# Contributing to {{ cookiecutter.project_name }}\n", encoding="utf-8"
    )
    new = commit_all(template, env, "new")

    assert cruft(project, env, "check", check=False).returncode != 0, "check must see the new template commit"

    cruft(project, env, "update", "--skip-apply-ask")

    text = readme.read_text(encoding="utf-8")
    assert USER_NOTE in text, "the user's edit was lost"
    assert TEMPLATE_NOTE in text, "the template's change did not arrive"
    assert (project / NEW_TEMPLATE_FILE).read_text(encoding="utf-8") == "# Contributing to My MLOps Project\n"
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == new
    assert not list(project.rglob("*.rej")), "the update left conflicts"
    # The post-gen hook ran on both bakes of the update: folders of other choices stay away.
    assert not (project / ".azuredevops").exists()
    assert not (project / "infrastructure" / "bicep").exists()

    commit_all(project, env, "Update from the template")
    assert "up to date" in cruft(project, env, "check").stdout


def test_cruft_update_can_change_an_answer_and_matches_a_fresh_bake(tmp_path, env):
    """Switching the deployment mode of an existing repository gives exactly what baking with it gives.

    The update diffs a bake with the old answers against one with the new answers, so the manifest's
    deletions (the other mode's folders) arrive as deletions.
    """
    template, _ = template_repository(tmp_path, env)
    project = cruft_create(template, tmp_path / "projects", env)
    git(project, env, "init", "--quiet", "--initial-branch", "main")
    commit_all(project, env, "Generated from the template")
    other_mode = options.choices("deployment_mode")[1]

    cruft(
        project, env, "update", "--skip-apply-ask", "--variables-to-update", json.dumps({"deployment_mode": other_mode})
    )

    fresh = cruft_create(template, tmp_path / "fresh", env, {"deployment_mode": other_mode})
    updated, expected = files_of(project), files_of(fresh)
    assert sorted(updated) == sorted(expected)
    assert [name for name in expected if updated[name] != expected[name]] == []
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert recorded["context"]["cookiecutter"]["deployment_mode"] == other_mode
