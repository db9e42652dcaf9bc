"""Fuzzing the answers: any value bakes a sound project or fails with lines that name fields, and leaves nothing.

Values mix what users and attackers type: template syntax (one payload touches a marker file if it ever runs),
text from every Unicode plane, lone surrogates (a non-UTF-8 byte on the command line), control characters,
slashes and dots, and strings longer than a file name may be. Bakes run in-process, so ~40 examples fit in a
minute; the counts of tried / clean / rejected examples are printed (``-s``) and both outcomes must occur.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

import yaml
from cookiecutter.exceptions import FailedHookException
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlops_template import naming, options
from mlops_template.baking import bake

MARKER = Path(tempfile.gettempdir()) / f"mlops-template-fuzz-marker-{os.getpid()}"
FIELDS = ("project_name", "project_slug", "alert_email", "azure_location", "resource_prefix")
COUNTS: Counter = Counter()

FRAGMENTS = st.sampled_from(
    [
        "{{ 7 * 7 }}",
        "{% for i in range(10**9) %}x{% endfor %}",
        "{# note #}",
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {MARKER}').read() }}}}",
        "{{",
        "}}",
        "{%",
        "\udcff",  # a non-UTF-8 byte decoded with surrogateescape
        "\ud83d",  # half of a surrogate pair
        "\x00",
        "\x1b[31m",
        "\n",
        "\t",
        "/",
        "../",
        "..",
        "\\",
        "'",
        '"',
        "'''",
        "🚀",
        "\U0001d518",
        "\u2028",
        "\u202e",
        "Ünïcödé",
        "a" * 260,
        " ",
        "-",
        "_",
        "@",
        ".",
        "abc",
        "x7",
    ]
)
MIXED = st.lists(FRAGMENTS | st.text(max_size=8), min_size=1, max_size=4).map("".join)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)


def _field(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    # None: the field is not given (its default, derived or not, is used)
    return st.none() | valid | MIXED | ANY_TEXT


STRATEGIES = {
    "project_name": st.sampled_from(["Credit Risk", "Ünïcödé Prøject 🚀", 'Quote\'s "here"']) | MIXED | ANY_TEXT,
    "project_slug": _field(st.from_regex(r"[a-z][a-z0-9]{1,10}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)),
    "alert_email": _field(st.from_regex(r"[a-z0-9.+]{1,10}@[a-z]{1,8}\.[a-z]{2,4}", fullmatch=True)),
    "azure_location": _field(st.sampled_from(naming.AZURE_REGIONS)),
    "resource_prefix": _field(st.from_regex(r"[a-z0-9]{2,8}", fullmatch=True)),
}


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _check_rejection(message: str) -> None:
    lines = message.splitlines()
    # one line ("Error, ...: <field>: ..."), or a header and then one line per field ("  - <field>: ...")
    fields = [line.removeprefix("  - ") for line in lines[1:]] if len(lines) > 1 else [lines[0].split(": ", 1)[1]]
    for line in fields:
        assert line.split(": ", 1)[0] in options.public_keys(), f"a line that names no field: {line!r}"


def _strings(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _check_project(project: Path, answers: dict) -> None:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"].startswith(answers.get("project_name", ""))
    config = yaml.safe_load((project / "config" / "dev.yml").read_text(encoding="utf-8"))
    if "alert_email" in answers:
        assert answers["alert_email"] in set(_strings(config))
    for source in (project / "src").rglob("*.py"):
        compile(source.read_text(encoding="utf-8"), str(source), "exec")


@settings(
    max_examples=int(os.environ.get("MLOPS_FUZZ_EXAMPLES", "40")),  # more for a deeper run by hand
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.fixed_dictionaries({}, optional=STRATEGIES))
@example({"project_name": "Credit Risk"})
@example({"project_name": "{{ 7 * 7 }}", "resource_prefix": "a/b"})
def test_any_answers_bake_a_sound_project_or_fail_naming_fields(tmp_path_factory, answers):
    answers = {key: value for key, value in answers.items() if value is not None}
    work = tmp_path_factory.mktemp("fuzz")
    output = work / "out"
    COUNTS["tried"] += 1
    try:
        project = bake(answers, output, work / "config")
    except FailedHookException as rejected:
        COUNTS["bad"] += 1
        _check_rejection(str(rejected))
        assert _entries(work) <= {"config"}, f"debris: {_entries(work)}"
    else:
        COUNTS["clean"] += 1
        assert project.parent == output and _entries(output) == {project.name}
        assert _entries(work) == {"out", "config"}, "a folder outside the output folder"
        _check_project(project, answers)
    assert not MARKER.exists(), f"an answer ran as code: {answers!r}"


def test_fuzzing_saw_both_outcomes():
    """Runs after the fuzz test (file order): both paths were exercised, and the figures are shown."""
    print(f"answers fuzz: tried={COUNTS['tried']} clean={COUNTS['clean']} bad={COUNTS['bad']}")
    if COUNTS["tried"]:
        assert COUNTS["clean"] and COUNTS["bad"], COUNTS
