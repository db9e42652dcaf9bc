"""Pages of the template's documentation site, generated from cookiecutter.json and from real bakes.

The site's pages (``docs/*.md``) are written by hand around markers such as
``<!-- generated: options -->``; the mkdocs hook ``docs/hooks/generated_pages.py`` replaces every
marker with the output of the generator of that name below. Options come from cookiecutter.json
(through ``options`` and ``docs``), so they are never typed twice; file trees, ``make help`` and
README sections come from projects baked while the site builds, so a page cannot show a file or a
command the template no longer produces. An unknown marker, or a section a generator cannot find,
stops the build.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import baking, docs, naming, options, validation

MARKER = re.compile(r"<!-- generated: ([a-z0-9-]+) -->")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")
# A relative link inside baked content points into the baked repository, not into this site.
RELATIVE_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:|mailto:|#)[^)]+\)")


def docs_patterns() -> dict[str, dict]:
    """The two bakes the site shows: the defaults, and the other value of every two-way core choice.

    Together they cover both IaC tools, both CI platforms and both deployment modes; the scenario
    stays the default one in both, so the pages compare like with like.
    """
    other = {key: options.choices(key)[1] for key in options.CORE_DIMENSIONS if len(options.choices(key)) == 2}
    return {"default": {}, "other": other}


class BakedProjects:
    """Bakes each pattern of ``docs_patterns()`` on first use into one temporary folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mlops-template-docs-"))
        self.projects: dict[str, Path] = {}

    def project(self, name: str) -> Path:
        if name not in self.projects:
            self.projects[name] = bake(docs_patterns()[name], self.root / name)
        return self.projects[name]

    def context(self, name: str) -> dict:
        """Every answer of a bake, derived ones included, from cookiecutter's replay file."""
        self.project(name)
        (replay,) = (self.root / name / "replay").glob("*.json")
        return json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def bake(answers: dict, workdir: Path) -> Path:
    """Bake the template with ``--no-input``; replay and clone folders stay inside ``workdir``."""
    return baking.bake(answers, workdir / "out", workdir)


def full_answers(answers: dict) -> dict:
    """``answers`` completed as ``--no-input`` completes them: defaults, derived values, private keys."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(context_file=str(options.COOKIECUTTER_JSON), extra_context=answers)
    return prompt_for_config(context, no_input=True)


def render_partial(partial: str, answers: dict) -> str:
    """One shared partial (``templates/<partial>``) rendered for ``answers`` as a bake would render it.

    Much cheaper than a bake (milliseconds), so tests can render a README part for every pattern.
    """
    from cookiecutter.environment import StrictEnvironment
    from jinja2 import FileSystemLoader

    context = {"cookiecutter": full_answers(answers)}
    environment = StrictEnvironment(
        context=context,
        keep_trailing_newline=True,
        loader=FileSystemLoader(str(options.TEMPLATE_ROOT / "templates")),
    )
    return environment.get_template(partial).render(**context)


# ---------------------------------------------------------------- Markdown helpers


def file_tree(root: Path, under: str = "") -> str:
    """The files below ``root / under`` drawn like ``tree``: folders first, then files, by name."""
    start = root / under if under else root
    lines = [f"{start.name}/"]

    def walk(folder: Path, indent: str) -> None:
        entries = sorted(folder.iterdir(), key=lambda p: (not p.is_dir(), p.name))
        for number, entry in enumerate(entries):
            last = number == len(entries) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{entry.name}{'/' if entry.is_dir() else ''}")
            if entry.is_dir():
                walk(entry, indent + ("    " if last else "│   "))

    walk(start, "")
    return "\n".join(lines)


def section(markdown: str, heading: str) -> str:
    """The body under the heading whose text is ``heading``, up to the next heading of its level or above.

    Lines inside fenced code blocks never count as headings (shell comments start with ``#``).
    """
    lines = markdown.splitlines()
    in_fence = False
    start = level = None
    for number, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if not match:
            continue
        if start is None and match.group(2) == heading:
            start, level = number + 1, len(match.group(1))
        elif start is not None and len(match.group(1)) <= level:
            return "\n".join(lines[start:number]).strip("\n")
    if start is None:
        raise KeyError(f"no heading {heading!r}")
    return "\n".join(lines[start:]).strip("\n")


def before_subsections(markdown: str) -> str:
    """``markdown`` up to its first heading (headings inside code blocks do not count)."""
    in_fence = False
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and HEADING.match(line):
            return "\n".join(lines[:number]).strip("\n")
    return markdown


def first_code_block(markdown: str, language: str) -> str:
    match = re.search(rf"^```{language}\n(.*?)^```", markdown, re.DOTALL | re.MULTILINE)
    if not match:
        raise KeyError(f"no {language} code block")
    return match.group(1).rstrip("\n")


def table_in(markdown: str) -> str:
    """The first Markdown table of ``markdown``."""
    match = re.search(r"^\|.*(?:\n\|.*)*", markdown, re.MULTILINE)
    if not match:
        raise KeyError("no table")
    return match.group(0)


def fenced(text: str, language: str = "text") -> str:
    return f"```{language}\n{text}\n```"


def headings_to_bold(markdown: str) -> str:
    """Headings as bold paragraphs (code blocks untouched): the page's table of contents lists a page's own
    sections, not each tab's copy of the same steps."""
    lines = []
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        lines.append(f"**{match.group(2)}**" if match else line)
    return "\n".join(lines)


def tabs(named_contents: dict[str, str]) -> str:
    """mkdocs-material content tabs (pymdownx.tabbed): one tab per entry, content indented by four spaces.

    Headings inside a tab become bold paragraphs, so they stay out of the table of contents."""
    blocks = []
    for title, content in named_contents.items():
        content = headings_to_bold(content)
        indented = "\n".join(f"    {line}" if line else "" for line in content.splitlines())
        blocks.append(f'=== "{title}"\n\n{indented}\n')
    return "\n".join(blocks)


def from_bake(markdown: str) -> str:
    return RELATIVE_LINK.sub(r"\1", markdown)


def _yaml_scalar(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _label(key: str, value: object) -> str:
    prompt = options.cookiecutter_json().get("__prompts__", {}).get(key, {})
    return prompt.get(str(value), str(value)) if isinstance(prompt, dict) else str(value)


# ---------------------------------------------------------------- generators from cookiecutter.json


def options_reference() -> str:
    """One section per option of cookiecutter.json: its prompt, values, default, rule and an example."""
    raw = options.cookiecutter_json()
    schema = validation.input_schema().get("properties", {})
    resolved = full_answers({})
    blocks = []
    for key in options.public_keys():
        value = raw[key]
        prompt = options.prompt_text(key)
        lines = [f"### `{key}`", "", prompt if prompt.endswith((".", "?")) else prompt + ".", ""]
        if isinstance(value, list):
            lines += ["| Value | What it means |", "| --- | --- |"]
            lines += [
                f"| `{choice}`{' (default)' if number == 0 else ''} | {_label(key, choice)} |"
                for number, choice in enumerate(value)
            ]
            lines.append("")
            example = value[-1]
        elif isinstance(value, bool):
            lines.append(f"A yes/no answer; default `{str(value).lower()}`.")
            lines.append("")
            example = str(not value).lower()
        else:
            if "{{" in str(value):
                lines.append(
                    f"Default: `{resolved[key]}` with the default answers; derived: {docs.describe_derived(value)}."
                )
            else:
                lines.append(f"Default: `{value}`.")
            lines.append("")
            example = schema.get(key, {}).get("x-example", value)
        rule = schema.get(key, {}).get("x-rule")
        if rule:
            lines += [f"Rule: {rule}.", ""]
        shown = f'"{example}"' if " " in str(example) else example
        lines += [f"On the command line: `cookiecutter --no-input <template> {key}={shown}`", ""]
        blocks.append("\n".join(lines))
    return "\n".join(blocks).rstrip("\n")


def azure_names(bakes: BakedProjects) -> str:
    """The name of every Azure resource, its format and Azure's rule, with the default bake's values."""
    context = bakes.context("default")
    envs = options.environments()
    header = "| Resource | Format | " + " | ".join(f"Default, {env}" for env in envs) + " | Azure's rule |"
    lines = [header, "| --- | --- | " + " | ".join("---" for _ in envs) + " | --- |"]
    for kind, rule in naming.RULES.items():
        values = [
            rule.name_format.format(prefix=context["resource_prefix"], env=env, suffix=context["name_suffix"])
            for env in envs
        ]
        cells = " | ".join(f"`{value}`" for value in values)
        lines.append(f"| {kind.replace('_', ' ')} | `{rule.name_format}` | {cells} | {rule.rule} |")
    return "\n".join(lines)


def flow_diagram(answers: dict) -> str:
    """The mermaid diagram of the generated README (``templates/readme/flow_diagram.md.j2``) for ``answers``."""
    return fenced(first_code_block(render_partial("readme/flow_diagram.md.j2", answers), "mermaid"), "mermaid")


def choice_diagrams(keys: tuple[str, ...] = options.CORE_DIMENSIONS, heading: str = "###") -> str:
    """For each core choice, one tab per value: the README's flow diagram with that value, the others default."""
    blocks = []
    for key in keys:
        diagrams = {
            _label(key, value).split(" (")[0].split(":")[0]: flow_diagram({key: value})
            for value in options.choices(key)
        }
        if heading:
            blocks.append(f"{heading} `{key}`: {options.prompt_text(key)}\n")
        blocks.append(tabs(diagrams))
    return "\n".join(blocks).rstrip("\n")


def matrix_diagram() -> str:
    """The pattern matrix as a picture: each core choice and its values, from cookiecutter.json."""
    lines = ["graph LR", f'    pattern["{len(options.core_patterns())} patterns"]']
    for key in options.CORE_DIMENSIONS:
        lines.append(f'    {key}["{key}: {options.prompt_text(key)}"]')
        lines.append(f"    pattern --> {key}")
        for value in options.choices(key):
            label = _label(key, value).split(" (")[0].replace('"', "'")
            lines.append(f'    {key}_{value}["{value}: {label}"]')
            lines.append(f"    {key} --> {key}_{value}")
    return fenced("\n".join(lines), "mermaid")


# ---------------------------------------------------------------- generators from bakes


def _readme(bakes: BakedProjects, name: str) -> str:
    return (bakes.project(name) / "README.md").read_text(encoding="utf-8")


def _infrastructure_doc(bakes: BakedProjects, name: str) -> str:
    return (bakes.project(name) / "docs" / "infrastructure.md").read_text(encoding="utf-8")


def _answers_title(bakes: BakedProjects, name: str, key: str) -> str:
    return _label(key, bakes.context(name)[key]).split(" (")[0].split(":")[0]


def make_help(project: Path) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=project, capture_output=True, text=True, check=True
    )
    return result.stdout.rstrip("\n")


def _per_bake(bakes: BakedProjects, keys: tuple[str, ...] | None, render: Callable[[str], str]) -> str:
    """One tab per docs bake, titled by its values of ``keys`` (or by its whole pattern when ``keys`` is None)."""

    def title(name: str) -> str:
        if keys is None:
            return ", ".join(str(bakes.context(name)[dimension]) for dimension in options.CORE_DIMENSIONS)
        return ", ".join(_answers_title(bakes, name, key) for key in keys)

    return tabs({title(name): render(name) for name in docs_patterns()})


GENERATORS: dict[str, Callable[[BakedProjects], str]] = {
    "matrix": lambda bakes: docs.matrix_markdown().rstrip("\n"),
    "matrix-diagram": lambda bakes: matrix_diagram(),
    "choice-diagrams": lambda bakes: choice_diagrams(),
    "ci-flow-diagrams": lambda bakes: choice_diagrams(("ci_platform",), heading=""),
    "options": lambda bakes: options_reference(),
    "azure-names": azure_names,
    "bake-command": lambda bakes: fenced(
        first_code_block(
            section((options.TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8"), "Generate a project and run it"),
            "bash",
        ),
        "bash",
    ),
    "default-answers": lambda bakes: fenced(
        "\n".join(f"{key}: {_yaml_scalar(bakes.context('default')[key])}" for key in options.public_keys()), "yaml"
    ),
    "default-tree": lambda bakes: fenced(file_tree(bakes.project("default"))),
    "default-make-help": lambda bakes: fenced(make_help(bakes.project("default"))),
    "default-run-locally": lambda bakes: from_bake(section(_readme(bakes, "default"), "Run it on your laptop")),
    "default-local-loop": lambda bakes: from_bake(
        section(_readme(bakes, "default"), "The training loop on your laptop")
    ),
    "default-serve-locally": lambda bakes: from_bake(
        before_subsections(section(_readme(bakes, "default"), "Serve the model on your laptop"))
    ),
    "flows": lambda bakes: _per_bake(
        bakes, None, lambda name: from_bake(section(_readme(bakes, name), "How it flows"))
    ),
    "connect-azure": lambda bakes: _per_bake(
        bakes,
        ("ci_platform", "infrastructure"),
        lambda name: from_bake(section(_readme(bakes, name), "Connect to Azure")),
    ),
    "ci-trees": lambda bakes: _per_bake(
        bakes,
        ("ci_platform",),
        lambda name: fenced(
            "\n\n".join(
                file_tree(bakes.project(name), folder)
                for folder in (".github", ".azuredevops", "ci")
                if (bakes.project(name) / folder).is_dir()
            )
        ),
    ),
    "iac-comparison": lambda bakes: table_in(
        section(_infrastructure_doc(bakes, "default"), "Terraform and Bicep here")
    ),
    "iac-trees": lambda bakes: _per_bake(
        bakes, ("infrastructure",), lambda name: fenced(file_tree(bakes.project(name), "infrastructure"))
    ),
    "iac-deploy": lambda bakes: _per_bake(
        bakes,
        ("infrastructure",),
        lambda name: from_bake(section(_infrastructure_doc(bakes, name), "Deploy an environment")),
    ),
}


def expand(markdown: str, bakes: BakedProjects) -> str:
    """Replace every ``<!-- generated: name -->`` marker; an unknown name is an error, not an empty gap."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise KeyError(f"unknown generated block {name!r}; known: {sorted(GENERATORS)}")
        return GENERATORS[name](bakes)

    return MARKER.sub(replace, markdown)
