"""The generated README's install: one way (`make install`), with its time and disk said before the command."""

import re

import pytest

SCENARIOS = ("tabular", "cv", "nlp")


def install_section(readme: str) -> tuple[str, str]:
    """The prose of "Run it on your laptop" before its first command block, and that block."""
    section = readme.split("## Run it on your laptop", 1)[1]
    prose, block = section.split("```bash", 1)
    return prose, block.split("```", 1)[0]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_install_cost_is_stated_before_the_command(baked, scenario):
    readme = (baked(ml_scenario=scenario) / "README.md").read_text(encoding="utf-8")
    prose, block = install_section(readme)
    assert "make install" in block
    # Measured in a fresh venv (see templates/readme/install.md.j2): the reader learns the wait first.
    assert re.search(r"`make install` takes about \d+ minutes and [\d.]+ (GB|MB) of disk", prose), prose


@pytest.mark.parametrize("scenario", ["cv", "nlp"])
def test_pytorch_is_installed_one_way_the_makefiles(baked, scenario):
    project = baked(ml_scenario=scenario)
    readme = (project / "README.md").read_text(encoding="utf-8")
    commands = [line for block in re.findall(r"```bash\n(.*?)```", readme, re.S) for line in block.splitlines()]
    assert not [line for line in commands if "pip install" in line and "torch" in line]
    # The CPU index is written once, in the Makefile; the README names the variable that holds it.
    assert "download.pytorch.org/whl/cpu" not in readme
    assert "TORCH_INDEX" in install_section(readme)[0]
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "TORCH_INDEX ?= --extra-index-url https://download.pytorch.org/whl/cpu" in makefile
    assert re.search(r'pip install -e "\.\[dev\]" \$\(TORCH_INDEX\)', makefile)
