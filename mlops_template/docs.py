"""Documentation generated from cookiecutter.json, so the option tables can never drift.

``python -m mlops_template.docs`` rewrites the generated blocks of README.md;
``python -m mlops_template.docs --check`` exits 1 when they are stale (the tests run it).
"""

from __future__ import annotations

import argparse
import re
import sys

from . import options

README = options.TEMPLATE_ROOT / "README.md"
BLOCK = re.compile(r"(<!-- generated:matrix -->\n).*?(<!-- /generated:matrix -->)", re.DOTALL)


# How each filter used by a derived default of cookiecutter.json reads in words. A derived default is shown
# as words, never as raw Jinja: readers do not need Jinja, and a `|` inside a table cell renders differently
# on GitHub and in the site (GitHub needs `\|`, which the site's renderer shows literally).
FILTER_WORDS = {
    "slugify": lambda: "in lowercase, words joined by hyphens",
    "replace": lambda old, new: f"with each `{old}` removed" if new == "" else f"with each `{old}` replaced by `{new}`",
    "truncate": lambda length, *_: f"cut to its first {length} characters",
    "stable_suffix": lambda: "hashed to 4 letters and digits (the same on every machine)",
}


def describe_derived(expression: str) -> str:
    """``{{ cookiecutter.a | f(x) | g }}`` in words: "`a` f-words, g-words". An unknown filter is an error."""
    from jinja2 import Environment, nodes

    (output,) = Environment().parse(expression).body
    (node,) = output.nodes
    filters = []
    while isinstance(node, nodes.Filter):
        filters.append(FILTER_WORDS[node.name](*(argument.as_const() for argument in node.args)))
        node = node.node
    if not (isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "cookiecutter"):
        raise ValueError(f"not a derived default of one answer: {expression}")
    return f"`{node.attr}` " + ", ".join(reversed(filters))


def _describe(key: str, value: object) -> str:
    prompt = options.cookiecutter_json().get("__prompts__", {}).get(key, {})
    return prompt.get(str(value), "") if isinstance(prompt, dict) else ""


def matrix_markdown() -> str:
    """The pattern matrix and every option, as Markdown."""
    raw = options.cookiecutter_json()
    lines = [
        f"{len(options.core_patterns())} patterns: every combination of the four core choices below.",
        "",
        "| Option | Values (default first) |",
        "| --- | --- |",
    ]
    for key in options.CORE_DIMENSIONS:
        values = "<br>".join(f"`{v}`: {_describe(key, v)}" for v in options.choices(key))
        lines.append(f"| `{key}` ({options.prompt_text(key)}) | {values} |")
    lines += ["", "Other options:", "", "| Option | Default | What it is |", "| --- | --- | --- |"]
    for key in options.public_keys():
        if key in options.CORE_DIMENSIONS:
            continue
        value = raw[key]
        if isinstance(value, list):
            default = f"`{value[0]}` (or " + ", ".join(f"`{v}`" for v in value[1:]) + ")"
        elif isinstance(value, bool):
            default = f"`{str(value).lower()}`"
        elif "{{" in str(value):
            default = "derived: " + describe_derived(str(value))
        else:
            default = f"`{value}`"
        lines.append(f"| `{key}` | {default} | {options.prompt_text(key)} |")
    return "\n".join(lines) + "\n"


def render_readme(text: str) -> str:
    if not BLOCK.search(text):
        raise ValueError("README.md has no <!-- generated:matrix --> block")
    return BLOCK.sub(lambda m: m.group(1) + matrix_markdown() + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date instead of writing it")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = render_readme(current)
    if args.check:
        if current != wanted:
            print("README.md is out of date: run python -m mlops_template.docs", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
