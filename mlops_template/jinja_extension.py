"""Jinja helpers for the template, registered through ``_extensions`` in cookiecutter.json.

Templates use the same naming code that validates the answers, so a name that passed
validation is exactly the name that is written.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

from . import naming


def _azure_names(cookiecutter: dict, env: str) -> dict[str, str]:
    return naming.names_for(cookiecutter["resource_prefix"], cookiecutter["name_suffix"], env)


class AzureNamingExtension(Extension):
    """``{{ seed | stable_suffix }}`` and ``{% set n = azure_names(cookiecutter, 'dev') %}``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["stable_suffix"] = naming.stable_suffix
        environment.globals["azure_names"] = _azure_names
        # Hooks run as separate processes and import mlops_template from where this extension came from:
        # the template folder under cookiecutter, the clone under cruft (which sets no _repo_dir).
        environment.globals["mlops_template_root"] = str(Path(__file__).resolve().parent.parent)
