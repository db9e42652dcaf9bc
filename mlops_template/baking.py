"""Bake the template from Python (tests, docs, benchmarks): an isolated cookiecutter config, unknown keys refused."""

from __future__ import annotations

import json
from pathlib import Path

from . import options

TEMPLATE_ROOT = options.TEMPLATE_ROOT


def isolated_config(directory: Path) -> Path:
    """A cookiecutter config whose replay and clone folders live in ``directory``, not in ~."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "cookiecutter-config.yaml"
    config.write_text(
        json.dumps({"cookiecutters_dir": str(directory / "cookiecutters"), "replay_dir": str(directory / "replay")}),
        encoding="utf-8",
    )
    return config


def check_known_keys(answers: dict) -> None:
    # cookiecutter silently ignores unknown keys and bakes the default: a typo would test the wrong thing.
    unknown = set(answers) - set(options.public_keys())
    if unknown:
        raise KeyError(f"not options of cookiecutter.json: {sorted(unknown)}")


def bake(answers: dict, output_dir: Path, config_dir: Path, template: Path | str = TEMPLATE_ROOT, **kwargs) -> Path:
    """Bake with ``--no-input`` and ``answers``; return the generated project folder."""
    from cookiecutter.main import cookiecutter  # imported here so that importing this module stays cheap

    check_known_keys(answers)
    result = cookiecutter(
        str(template),
        no_input=True,
        extra_context=answers,
        output_dir=str(output_dir),
        config_file=str(isolated_config(config_dir)),
        **kwargs,
    )
    return Path(result)
