"""Jinja helpers for the template, registered through ``_extensions`` in cookiecutter.json.

Templates use the same naming code that validates the answers, so a name that passed
validation is exactly the name that is written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.ext import Extension

from . import naming

try:
    from . import answers_guard
except ModuleNotFoundError as missing:  # jsonschema is not one of cookiecutter's own dependencies
    # cookiecutter's CLI prints "Unable to load extension: <this message>" and exits 1
    raise ImportError(
        f"the template needs the Python package {missing.name!r} next to cookiecutter; "
        "install it with: python -m pip install cookiecutter jsonschema"
    ) from missing


def _azure_names(cookiecutter: dict, env: str) -> dict[str, str]:
    return naming.names_for(cookiecutter["resource_prefix"], cookiecutter["name_suffix"], env)


class _BestEffortBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between bakes; a cache that cannot be written only costs speed."""

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache_dir() -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (
        os.path.join(base, "mlops-template", "jinja"),
        os.path.join(tempfile.gettempdir(), "mlops-template-jinja"),
    ):
        try:
            os.makedirs(folder, exist_ok=True)
            return folder
        except OSError:
            continue
    return None


class AzureNamingExtension(Extension):
    """``{{ seed | stable_suffix }}`` and ``{% set n = azure_names(cookiecutter, 'dev') %}``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        # First, before cookiecutter renders anything: answers are data (see answers_guard).
        answers_guard.guard(environment)
        # tojson writes text as it is (ensure_ascii=False): its default escapes a character outside the Basic
        # Multilingual Plane as a UTF-16 surrogate pair ("\\ud83d\\ude80"), which TOML rejects (toml.io v1.0.0,
        # "Any Unicode character may be used except those that must be escaped"; escapes are scalar values).
        # JSON and YAML read the raw character too; HTML-unsafe characters are still escaped by Jinja.
        environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        environment.filters["stable_suffix"] = naming.stable_suffix
        environment.globals["azure_names"] = _azure_names
        # Hooks run as separate processes and import mlops_template from where this extension came from:
        # the template folder under cookiecutter, the clone under cruft (which sets no _repo_dir).
        environment.globals["mlops_template_root"] = str(Path(__file__).resolve().parent.parent)
        # Compiling the ~200 templates is most of a bake's time (cProfile: 0.6 of 1.0 s). Jinja keys
        # each cached template by its name and a checksum of its source, so an edited template is
        # compiled afresh and a stale one is never used.
        folder = _bytecode_cache_dir()
        if folder and environment.bytecode_cache is None:
            environment.bytecode_cache = _BestEffortBytecodeCache(folder)
