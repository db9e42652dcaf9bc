"""Compiled templates are cached between bakes: it must speed bakes up, never serve a stale template,
and never break a bake when the cache cannot be written."""

from __future__ import annotations

import shutil

from jinja2 import FileSystemBytecodeCache

from mlops_template.baking import bake
from mlops_template.options import TEMPLATE_ROOT

# What a bake reads from the template folder (not docs/ nor docs/tools/node_modules).
TEMPLATE_PARTS = ["cookiecutter.json", "hooks", "mlops_template", "templates", "{{cookiecutter.project_slug}}"]


def copy_template(target):
    target.mkdir(parents=True)
    for part in TEMPLATE_PARTS:
        source = TEMPLATE_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    return target


def test_bakes_fill_the_cache_and_an_edited_template_is_compiled_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = copy_template(tmp_path / "template")
    first = bake({}, tmp_path / "one", tmp_path / "config-one", template=template)
    cached = list((tmp_path / "cache" / "mlops-template" / "jinja").iterdir())
    assert len(cached) > 50  # one compiled module per rendered template
    makefile = template / "{{cookiecutter.project_slug}}" / "Makefile"
    makefile.write_text(makefile.read_text(encoding="utf-8") + "\n# edited after the first bake\n", encoding="utf-8")
    second = bake({}, tmp_path / "two", tmp_path / "config-two", template=template)
    assert "edited after the first bake" not in (first / "Makefile").read_text(encoding="utf-8")
    assert "edited after the first bake" in (second / "Makefile").read_text(encoding="utf-8")


def test_a_cache_that_cannot_be_written_does_not_stop_a_bake(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache falls back to the temp folder

    def disk_full(self, bucket):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", disk_full)
    monkeypatch.setattr(FileSystemBytecodeCache, "load_bytecode", lambda self, bucket: None)
    project = bake({}, tmp_path / "out", tmp_path / "config")
    assert (project / "Makefile").is_file()
    assert not any(project.rglob("*{{*"))
