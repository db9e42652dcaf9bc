"""The generated README reads as prose: no sentence left dangling on a line of its own by the partials' whitespace."""

from __future__ import annotations

import re

import pytest


def prose_lines(markdown: str) -> list[str]:
    """The lines outside fenced code blocks (diagrams and commands keep their own indentation)."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


@pytest.mark.parametrize("ci_platform", ["github_actions", "azure_devops"])
def test_make_loop_sentence_is_part_of_the_flow_paragraph(baked, ci_platform):
    # It used to follow the flow paragraph as " `make loop` runs prep, train, evaluate and register" on a line of
    # its own, started by a stray space the template's whitespace control left (issue 15, item 4).
    readme = (baked(ci_platform=ci_platform) / "README.md").read_text(encoding="utf-8")
    stray = [line for line in prose_lines(readme) if re.match(r" \S", line)]
    assert not stray, f"prose lines starting with a stray space: {stray}"
    (flow,) = [p for p in readme.split("\n\n") if "run these steps: `infra`" in " ".join(p.split())]
    last_sentence = re.split(r"(?<=\.) ", " ".join(flow.split()))[-1]
    assert last_sentence == "`make loop` runs the same prep, train, evaluate and register steps on your laptop."
