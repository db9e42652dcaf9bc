"""Answers are data: none runs as code, each gives a working project or one line naming the field and rule.

Cookiecutter renders a ``key=value`` answer with Jinja before any hook runs (cookiecutter 2.7
``prompt.render_variable``: ``env.from_string(raw).render(cookiecutter=...)``), and cruft passes the answers
recorded in ``.cruft.json`` the same way (cruft 2.16 ``_commands/utils/generate.py``: ``extra_context``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from test_template_update import commit_all, cruft, cruft_create, git, template_repository

from mlops_template.baking import TEMPLATE_ROOT, bake, isolated_config


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _bake_rejected(tmp_path: Path, answers: dict) -> str:
    """Bake ``answers`` inside ``tmp_path/work``; it must fail with a message and leave nothing behind."""
    work = tmp_path / "work"
    work.mkdir()
    before = _tree(tmp_path)
    with pytest.raises(FailedHookException) as raised:
        bake(answers, work / "out", tmp_path / "config")
    created = {p for p in _tree(tmp_path) - before if not p.startswith("config")}
    assert created == set(), f"debris: {sorted(created)}"
    return str(raised.value)


def _one_line_naming(message: str, field: str, rule: str) -> None:
    lines = message.splitlines()
    assert len(lines) == 1, message
    assert f"{field}: " in lines[0] and rule in lines[0], message


def _cli(tmp_path: Path, *answers: str | bytes) -> subprocess.CompletedProcess:
    config = isolated_config(tmp_path / "c")
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config), "-o"]
    command += [str(tmp_path / "out"), str(TEMPLATE_ROOT), *answers]
    return subprocess.run(command, capture_output=True, timeout=120, check=False, cwd=tmp_path)


def test_the_reported_command_runs_no_code_and_bakes_nothing(tmp_path):
    marker = tmp_path / "marker"
    answer = f"project_name={{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}Proj"
    result = _cli(tmp_path, answer)
    output = (result.stdout + result.stderr).decode()
    assert not marker.exists(), "the answer ran as code"
    assert result.returncode != 0
    assert "project_name: " in output and "template syntax" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_name", "{% for i in range(10**9) %}x{% endfor %}"),
        ("project_slug", "{{ 7 * 7 }}"),
        ("alert_email", "{# comment #}a@example.com"),
        ("resource_prefix", "{{ cookiecutter.project_slug }}"),
        ("azure_location", "{%- if true %}westeurope{% endif %}"),
    ],
)
def test_template_syntax_in_any_answer_is_rejected_at_once(tmp_path, field, value):
    started = time.perf_counter()
    message = _bake_rejected(tmp_path, {field: value})
    assert time.perf_counter() - started < 10, "the answer was rendered"
    _one_line_naming(message, field, "template syntax")


# field, value, the rule the message names
BROKEN = [
    ("project_slug", "a/b", "lowercase letters, digits and single hyphens"),
    ("project_slug", "../../escaped", "lowercase letters, digits and single hyphens"),
    ("project_slug", "/tmp/abs", "lowercase letters, digits and single hyphens"),
    ("package_name", "pkg/../../x", "a Python package name"),
    ("project_slug", "a" * 300, "2-50"),
    ("project_name", "x" * 300, "1-80 characters"),
    ("alert_email", "a" * 300 + "@example.com", "e-mail address"),
    ("project_name", "bad \udcff byte", "UTF-8"),
    ("alert_email", "ops\ud800@example.com", "UTF-8"),
]


@pytest.mark.parametrize(("field", "value", "rule"), BROKEN, ids=[f"{f}={v!r}"[:40] for f, v, _ in BROKEN])
def test_a_breaking_answer_names_its_field_and_leaves_nothing(tmp_path, field, value, rule):
    _one_line_naming(_bake_rejected(tmp_path, {field: value}), field, rule)


def test_a_name_that_slugifies_to_nothing_is_explained_as_derived(tmp_path):
    message = _bake_rejected(tmp_path, {"project_name": "!!!"})
    _one_line_naming(message, "project_slug", "starting with a letter")
    assert "derived from project_name='!!!'" in message
    assert "already exists" not in message
    assert "resource_prefix" not in message, "a value derived from a bad one is not the user's to fix"


def test_a_non_utf8_byte_on_the_command_line_fails_cleanly(tmp_path):
    result = _cli(tmp_path, b"project_name=Caf\xe9 Project")
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert result.returncode != 0
    assert "project_name: " in output and "UTF-8" in output
    assert "Traceback" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_a_slug_with_a_slash_leaves_nothing_outside_the_output_folder(tmp_path):
    result = _cli(tmp_path, "project_slug=../outside")
    output = (result.stdout + result.stderr).decode()
    assert result.returncode != 0 and "project_slug: " in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_emoji_and_other_planes_give_valid_toml_and_json(tmp_path):
    name = "🚀 Rocket \U0001d518 Ünïcode \u201cquoted\u201d \\ back"  # an emoji, a Fraktur U, curly quotes
    project = bake({"project_name": name}, tmp_path / "out", tmp_path / "config")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"].startswith(name)
    assert "\\ud83d" not in (project / "pyproject.toml").read_text(encoding="utf-8")


def test_cruft_answers_are_data_on_diff_and_update(tmp_path):
    """A ``.cruft.json`` whose answer holds Jinja: ``cruft diff`` and ``cruft update`` run nothing and say why."""
    env = _cruft_env(tmp_path)
    template, _ = template_repository(tmp_path, env)
    project = cruft_create(template, tmp_path / "projects", env)
    git(project, env, "init", "--quiet", "--initial-branch", "main")
    marker = tmp_path / "marker"
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    state["context"]["cookiecutter"]["project_name"] = (
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}Proj"
    )
    (project / ".cruft.json").write_text(json.dumps(state), encoding="utf-8")
    commit_all(project, env, "hostile answer")
    (template / "NEW.md").write_text("new\n", encoding="utf-8")
    commit_all(template, env, "new")
    for command in (["diff"], ["update", "--skip-apply-ask"]):
        result = cruft(project, env, *command, check=False)
        assert not marker.exists(), f"cruft {command[0]} ran the answer"
        assert result.returncode != 0, command
        output = result.stdout + result.stderr
        assert "project_name: " in output and "template syntax" in output
        assert "Traceback" not in output and "AnswerRejected" not in output, output  # no (rich) traceback


def _cruft_env(tmp_path: Path) -> dict[str, str]:
    import os

    config = tmp_path / "cookiecutter-config.json"
    config.write_text(json.dumps({"cookiecutters_dir": str(tmp_path / "cc"), "replay_dir": str(tmp_path / "r")}))
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "COOKIECUTTER_CONFIG": str(config),
    }


def test_an_edited_replay_file_is_checked_before_the_folder_is_named(tmp_path):
    """``--replay-file`` answers reach generate_files without prompting (cookiecutter 2.7 ``main.cookiecutter``)."""
    project = bake({}, tmp_path / "first", tmp_path / "c")
    (replay,) = (tmp_path / "c" / "replay").glob("*.json")
    state = json.loads(replay.read_text(encoding="utf-8"))
    state["cookiecutter"]["project_slug"] = "../escaped"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(state), encoding="utf-8")
    before = _tree(tmp_path)
    command = [sys.executable, "-m", "cookiecutter", "--config-file", str(isolated_config(tmp_path / "c")), "-o"]
    command += [str(tmp_path / "out"), "--replay-file", str(hostile), str(TEMPLATE_ROOT)]
    result = subprocess.run(command, capture_output=True, timeout=120, check=False, cwd=tmp_path)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode != 0 and "project_slug: '../escaped' is not valid" in output
    assert "Traceback" not in output
    assert {p for p in _tree(tmp_path) - before if not p.startswith("c/")} == set()
    assert project.is_dir()


def test_the_guard_fails_closed_if_cookiecutter_renders_answers_from_elsewhere():
    """The guard recognises cookiecutter's ``render_variable``; any other renderer of unfinished answers is refused."""
    from cookiecutter.utils import create_env_with_context

    from mlops_template import options
    from mlops_template.answers_guard import AnswerRejected

    env = create_env_with_context({"cookiecutter": dict(options.cookiecutter_json())})

    def render_answer(raw: str, answers: dict) -> str:  # stands in for a renamed render_variable
        return env.from_string(raw).render(cookiecutter=answers)

    with pytest.raises(AnswerRejected, match="template syntax"):
        render_answer("{{ 7 * 7 }}", {"project_name": "x"})
    assert render_answer(options.cookiecutter_json()["project_slug"], {"project_name": "A B"}) == "a-b"
    assert render_answer("plain text", {"project_name": "x"}) == "plain text"


def test_a_huge_answer_is_refused_without_work(tmp_path):
    started = time.perf_counter()
    message = _bake_rejected(tmp_path, {"alert_email": "a@" + "a." * 200_000 + "-"})
    assert time.perf_counter() - started < 10
    _one_line_naming(message, "alert_email", "at most 1000 characters")


def test_a_bad_slug_is_reported_alone_not_the_values_derived_from_it(tmp_path):
    message = _bake_rejected(tmp_path, {"project_slug": "My Project"})
    _one_line_naming(message, "project_slug", "lowercase letters, digits and single hyphens")
    assert "package_name" not in message and "resource_prefix" not in message and "name_suffix" not in message


def test_without_jsonschema_the_cli_says_what_to_install(tmp_path):
    # jsonschema is not a dependency of cookiecutter: the extension that checks answers needs it installed too.
    blocked = "import sys; sys.modules['jsonschema'] = None; from cookiecutter.cli import main; main()"
    config = isolated_config(tmp_path / "c")
    command = [sys.executable, "-c", blocked, "--no-input", "--config-file", str(config), "-o", str(tmp_path / "out")]
    result = subprocess.run([*command, str(TEMPLATE_ROOT)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "python -m pip install cookiecutter jsonschema" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()
