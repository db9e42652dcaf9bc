"""Bad answers fail before anything is written, with a message a user can act on."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException, OutputDirExistsException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_template import naming, validation
from mlops_template.baking import TEMPLATE_ROOT, bake, check_known_keys, isolated_config

# field, value, what the message must show of the rule
INVALID = [
    ("resource_prefix", "My-Prefix", "2-8 lowercase letters and digits"),
    ("resource_prefix", "a", "2-8 lowercase letters and digits"),
    ("resource_prefix", "waytoolongprefix", "2-8 lowercase letters and digits"),
    ("resource_prefix", 'ab"c', "2-8 lowercase letters and digits"),
    ("name_suffix", "x", "3-5 lowercase letters and digits"),
    ("name_suffix", "AB-12", "3-5 lowercase letters and digits"),
    ("azure_location", "West Europe", "programmatic name of an Azure region"),
    ("azure_location", "mars", "programmatic name of an Azure region"),
    ("project_name", "two\nlines", "on one line"),
    ("project_name", "x" * 81, "1-80 characters"),
    ("project_slug", "My Project", "lowercase letters, digits and single hyphens"),
    ("project_slug", "1st-project", "starting with a letter"),
    ("project_name", "!!!", "lowercase letters, digits and single hyphens"),  # slugifies to ""
    ("package_name", "class", "not a Python keyword"),
    ("package_name", "my-package", "a Python package name"),
    ("alert_email", "not-an-email", "e-mail address"),
    ("alert_email", "a@b.c'; rm -rf /", "e-mail address"),
]


def _assert_nothing_written(output_dir: Path) -> None:
    assert not output_dir.exists() or not any(output_dir.iterdir()), list(output_dir.iterdir())


@pytest.mark.parametrize(("field", "value", "rule"), INVALID, ids=[f"{f}={v!r}"[:40] for f, v, _ in INVALID])
def test_invalid_answer_fails_clearly_and_writes_nothing(tmp_path, capfd, field, value, rule):
    output = tmp_path / "out"
    with pytest.raises(FailedHookException) as raised:
        bake({field: value}, output, tmp_path / "config")
    # The message is the exception's (cookiecutter's CLI prints it); the pre-gen hook's would be on stderr.
    err = str(raised.value) + capfd.readouterr().err
    shown_field = "project_slug" if value == "!!!" else field
    assert f"{shown_field}: " in err
    assert rule in err
    assert "Example: " in err
    _assert_nothing_written(output)


def test_message_shows_value_and_example(tmp_path, capfd):
    with pytest.raises(FailedHookException) as raised:
        bake({"resource_prefix": "My-Prefix"}, tmp_path / "out", tmp_path / "config")
    err = str(raised.value) + capfd.readouterr().err
    assert "resource_prefix: 'My-Prefix' is not valid" in err
    assert "Example: resource_prefix=credrisk" in err


def test_cli_exits_non_zero_with_the_message(tmp_path):
    cmd = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(isolated_config(tmp_path / "c"))]
    cmd += ["-o", str(tmp_path / "out"), str(TEMPLATE_ROOT), "resource_prefix=BAD!", "azure_location=moon"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr  # cookiecutter's CLI prints the error on stdout
    assert "resource_prefix: 'BAD!' is not valid" in output
    assert "azure_location: 'moon' is not valid" in output
    assert "Traceback" not in output
    _assert_nothing_written(tmp_path / "out")


def test_answers_that_do_not_go_together_fail_clearly_and_write_nothing(tmp_path, capfd):
    output = tmp_path / "out"
    with pytest.raises(FailedHookException) as raised:
        bake({"ml_scenario": "cv", "feature_store": True}, output, tmp_path / "config")
    err = str(raised.value) + capfd.readouterr().err
    assert "feature_store: true is not valid with ml_scenario='cv'" in err
    assert "needs ml_scenario tabular" in err
    assert "Example: feature_store=false" in err
    _assert_nothing_written(output)


def test_every_derived_name_of_the_defaults_follows_azure_rules():
    names = naming.derived_names("abcdefgh", "abcde", ["dev", "prod"])  # the longest valid inputs
    assert validation.derived_names_schema(names)  # built from the rules
    answers = {"resource_prefix": "abcdefgh", "name_suffix": "abcde", "_environments": ["dev", "prod"]}
    assert validation._name_messages(answers) == []


def test_a_derived_name_that_breaks_a_rule_is_reported():
    # An environment name is not user input today, but a long one must still be caught by the name rules.
    answers = {"resource_prefix": "abcdefgh", "name_suffix": "abcde", "_environments": ["development"]}
    messages = validation._name_messages(answers)
    assert any(
        "storage account name in development" in m and "3-24 lowercase letters and digits" in m for m in messages
    )


def test_unknown_answer_keys_are_rejected_by_the_test_helper():
    with pytest.raises(KeyError, match="ml_scenarios"):
        check_known_keys({"ml_scenarios": "cv"})


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30
) | st.sampled_from(['Quote"s', "Back\\slash", "Ünïcödé Prøject", "new\nline", "tab\there", "🚀 rocket", "' OR 1=1"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project_name=names, resource_prefix=st.from_regex(r"[a-zA-Z0-9\-_ ]{0,10}", fullmatch=True))
def test_any_input_bakes_a_valid_project_or_fails_cleanly(tmp_path_factory, project_name, resource_prefix):
    work = tmp_path_factory.mktemp("fuzz")
    output = work / "out"
    answers = {"project_name": project_name, "resource_prefix": resource_prefix}
    try:
        project = bake(answers, output, work / "config")
    except FailedHookException:
        _assert_nothing_written(output)
        return
    except Exception as error:  # cookiecutter renders answers with Jinja: "{{" in a name fails there
        assert "{" in project_name or "}" in project_name, repr(error)
        _assert_nothing_written(output)
        return
    # It baked: the answers passed validation, so the generated names and files must be sound.
    messages = validation.validate_answers({**_baked_answers(project), "_environments": ["dev", "prod"]})
    assert messages == []
    assert (project / "config" / "dev.yml").is_file()
    import yaml

    assert yaml.safe_load((project / "config" / "dev.yml").read_text(encoding="utf-8"))["environment"] == "dev"


def _baked_answers(project: Path) -> dict:
    import yaml

    config = yaml.safe_load((project / "config" / "dev.yml").read_text(encoding="utf-8"))
    package = next((project / "src").iterdir()).name
    return {
        "project_name": "checked separately",
        "project_slug": project.name,
        "package_name": package,
        "resource_prefix": config["azure"]["workspace"].removeprefix("mlw-").removesuffix("-dev"),
        "name_suffix": config["azure"]["key_vault"].rsplit("-", 1)[-1],
        "azure_location": config["azure"]["location"],
    }


def test_two_bakes_with_the_same_answers_are_byte_identical(tmp_path):
    answers = {"infrastructure": "bicep", "ci_platform": "azure_devops", "ml_scenario": "nlp"}
    first = bake(answers, tmp_path / "a", tmp_path / "ca")
    second = bake(answers, tmp_path / "b", tmp_path / "cb")
    comparison = filecmp.dircmp(first, second)
    _assert_same_tree(comparison)


def _assert_same_tree(comparison: filecmp.dircmp) -> None:
    assert not comparison.left_only and not comparison.right_only, (comparison.left_only, comparison.right_only)
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)
    for sub in comparison.subdirs.values():
        _assert_same_tree(sub)


def test_baking_over_an_existing_project_never_overwrites_by_default(tmp_path):
    project = tmp_path / "out" / "my-mlops-project"
    project.mkdir(parents=True)
    (project / "README.md").write_text("my own notes", encoding="utf-8")
    with pytest.raises(OutputDirExistsException):
        bake({}, tmp_path / "out", tmp_path / "config")
    assert (project / "README.md").read_text(encoding="utf-8") == "my own notes"
    assert sorted(p.name for p in project.iterdir()) == ["README.md"]


def test_overwrite_when_asked_keeps_the_users_other_files(tmp_path):
    project = tmp_path / "out" / "my-mlops-project"
    project.mkdir(parents=True)
    (project / "NOTES.md").write_text("mine", encoding="utf-8")
    bake({}, tmp_path / "out", tmp_path / "config", overwrite_if_exists=True)
    assert (project / "NOTES.md").read_text(encoding="utf-8") == "mine"
    assert (project / "README.md").is_file()


def test_a_failed_validation_keeps_an_existing_folder_untouched(tmp_path):
    project = tmp_path / "out" / "my-mlops-project"
    project.mkdir(parents=True)
    (project / "keep.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FailedHookException):
        bake({"resource_prefix": "BAD"}, tmp_path / "out", tmp_path / "config", overwrite_if_exists=True)
    assert (project / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in project.iterdir()) == ["keep.txt"]
