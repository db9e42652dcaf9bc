"""The README's option tables are generated from cookiecutter.json and current; the docs have their own extra."""

import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mlops_template import docs, docs_site, options

PYPROJECT = tomllib.loads((options.TEMPLATE_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SELF = canonicalize_name(PYPROJECT["name"])


def test_readme_matrix_is_up_to_date():
    assert docs.main(["--check"]) == 0, "run: python -m mlops_template.docs"


def test_matrix_names_every_option_and_value():
    table = docs.matrix_markdown()
    for key in options.public_keys():
        assert f"`{key}`" in table
    for key in options.CORE_DIMENSIONS:
        for value in options.choices(key):
            assert f"`{value}`" in table


def test_stale_readme_is_detected(tmp_path, monkeypatch):
    stale = tmp_path / "README.md"
    stale.write_text("<!-- generated:matrix -->\nold\n<!-- /generated:matrix -->\n", encoding="utf-8")
    monkeypatch.setattr(docs, "README", stale)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert docs.main(["--check"]) == 0


def test_derived_defaults_read_as_words():
    raw = options.cookiecutter_json()
    derived = [key for key in options.public_keys() if "{{" in str(raw[key])]
    assert derived
    for key in derived:
        words = docs.describe_derived(raw[key])
        assert "{{" not in words and "|" not in words, (key, words)
    assert "`project_slug` with each `-` removed, cut to its first 8 characters" in docs.matrix_markdown()


def test_docs_extra_is_small_and_the_test_extra_includes_it():
    extras = PYPROJECT["optional-dependencies"]
    assert {canonicalize_name(Requirement(line).name) for line in extras["docs"]} == {"mkdocs", "mkdocs-material"}
    base = {canonicalize_name(Requirement(line).name) for line in PYPROJECT["dependencies"]}
    assert {"cookiecutter", "jsonschema", "pyyaml"} <= base
    # CI installs the test extra and builds the site: it must pull the docs extra in.
    assert any(
        canonicalize_name(Requirement(line).name) == SELF and "docs" in Requirement(line).extras
        for line in extras["test"]
    )


def test_readme_installs_the_docs_extra_for_the_site():
    readme = (options.TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8")
    command = docs_site.first_code_block(docs_site.section(readme, "Documentation"), "bash")
    assert '".[docs]"' in command and "mkdocs" in command
    assert ".[test]" not in command


def _closure(requirements: list[str]) -> set[str]:
    """The distributions that installing ``requirements`` brings in, read from the installed metadata."""
    seen, names, todo = set(), set(), [Requirement(line) for line in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(key)
        names.add(name)
        for line in metadata.distribution(name).requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": extra}) for extra in requirement.extras | {""}):
                sub.marker = None
                todo.append(sub)
    return names


# Runs mkdocs with every installed distribution outside the docs extra's closure made unimportable.
BUILD_WITH_ONLY = """
import json, os, runpy, sys
from importlib import metadata
allowed = set(json.loads(os.environ["DOCS_ALLOWED"]))
owners = {top: {d.lower().replace("_", "-").replace(".", "-") for d in dists}
          for top, dists in metadata.packages_distributions().items()}
class OnlyTheDocsExtra:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in owners and not owners[top] & allowed:
            raise ImportError(f"{top} ({sorted(owners[top])}) is not installed by the docs extra")
sys.meta_path.insert(0, OnlyTheDocsExtra())
sys.argv = ["mkdocs", *sys.argv[1:]]
runpy.run_module("mkdocs", run_name="__main__")
"""


def test_the_site_builds_with_only_the_docs_extra(tmp_path):
    """What `pip install -e ".[docs]"` installs is enough for `mkdocs build --strict` (measured: 176 MB venv)."""
    allowed = _closure(PYPROJECT["dependencies"]) | _closure(PYPROJECT["optional-dependencies"]["docs"])
    assert "azure-ai-ml" not in allowed and "torch" not in allowed
    result = subprocess.run(
        [sys.executable, "-c", BUILD_WITH_ONLY, "build", "--strict", "-q", "--site-dir", str(tmp_path / "site")],
        cwd=options.TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DOCS_ALLOWED": json.dumps(sorted(allowed)), "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
