"""Conditional content: which paths of the generated project each choice owns.

``manifest.yaml`` maps ``option -> value -> [paths]``. A listed path is kept only when every
option that lists it has one of the values it is listed under (so a path listed under ``cv`` and
``nlp`` is kept for either); paths that are not listed are common to all patterns.
Folders are removed after generation (a Jinja conditional in a directory name breaks the bake:
see the template's docs), so this module is the only place that decides what a pattern contains.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import tempfile
from collections import defaultdict
from functools import cache
from pathlib import Path

import yaml

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")
PROJECT_TEMPLATE_DIRNAME = "{{cookiecutter.project_slug}}"


@cache
def load_manifest() -> dict:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


def _render(path: str, answers: dict) -> str:
    # Manifest paths may name the package folder: "src/{package_name}/..."
    return path.format(package_name=answers["package_name"])


def ownership(manifest: dict | None = None) -> dict[str, dict[str, set]]:
    """Unrendered path -> {option: values}: for it to be kept, each option must have one of its values."""
    owners: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for option, by_value in (manifest or load_manifest()).items():
        for value, paths in by_value.items():
            for path in paths or []:
                owners[path][option].add(value)
    return {path: dict(by_option) for path, by_option in owners.items()}


def paths_to_remove(answers: dict, manifest: dict | None = None) -> list[str]:
    """Rendered relative paths that the chosen pattern does not contain."""
    return sorted(
        _render(path, answers)
        for path, conditions in ownership(manifest).items()
        if any(answers[option] not in values for option, values in conditions.items())
    )


def remove_unselected(project_dir: Path, answers: dict) -> list[Path]:
    """Delete what the pattern excludes. Idempotent; refuses anything outside ``project_dir``."""
    root = project_dir.resolve()
    removed = []
    for relative in _expand(root, paths_to_remove(answers)):
        target = (root / relative).resolve()
        if target == root or root not in target.parents:
            raise ValueError(f"manifest path {relative!r} points outside the project {root}")
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        else:
            continue
        removed.append(target)
        # A folder emptied by the removal goes too, so no pattern carries empty leftovers.
        parent = target.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


def keep_folder(project_dir: Path, baking_process: int | None = None) -> Path:
    """Where the pre-gen hook keeps what the user had under excluded paths, for the post-gen hook of the same bake.

    Both hooks are child processes of the one cookiecutter process: its id and the project folder name the place.
    """
    process = os.getppid() if baking_process is None else baking_process
    key = hashlib.sha256(f"{project_dir.resolve()}\0{process}".encode()).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / f"mlops-template-keep-{key}"


def keep_existing(project_dir: Path, answers: dict) -> list[str]:
    """Before generation: copy what already exists under the paths this pattern excludes.

    Re-baking over a project (``-f``, ``-f -s``) writes every template file, then the post-gen step removes
    excluded paths; without this copy it would remove files the user added there or had edited. Returns the
    kept relative paths.
    """
    root = project_dir.resolve()
    keep = keep_folder(root)
    if keep.exists():
        shutil.rmtree(keep)
    kept = []
    for relative in _expand(root, paths_to_remove(answers)):
        source = root / relative
        if not (source.exists() or source.is_symlink()):
            continue
        target = keep / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)
        kept.append(relative)
    return kept


def restore_kept(project_dir: Path) -> list[str]:
    """After the removal: put back what the pre-gen step kept, byte for byte, and drop the copy."""
    root = project_dir.resolve()
    keep = keep_folder(root)
    if not keep.is_dir():
        return []
    restored = []
    for source in sorted(keep.rglob("*")):
        relative = source.relative_to(keep)
        target = root / relative
        if source.is_dir() and not source.is_symlink():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        shutil.copy2(source, target, follow_symlinks=False)
        restored.append(relative.as_posix())
    for source in sorted(keep.rglob("*"), reverse=True):  # folders get the modes and times they had
        if source.is_dir() and not source.is_symlink():
            shutil.copystat(source, root / source.relative_to(keep))
    shutil.rmtree(keep)
    return restored


def _expand(root: Path, relatives: list[str]) -> list[str]:
    """Manifest paths with a ``*`` (e.g. ``tests/test_cv_*.py``) stand for the files they match."""
    expanded = []
    for relative in relatives:
        if "*" in relative:
            expanded += sorted(p.relative_to(root).as_posix() for p in root.glob(relative))
        else:
            expanded.append(relative)
    return expanded


def template_files(template_root: Path) -> list[str]:
    """Unrendered relative paths of every file in the project template."""
    base = template_root / PROJECT_TEMPLATE_DIRNAME
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def _covers(manifest_path: str, relative: str) -> bool:
    """Whether a (rendered) manifest path is ``relative``, a folder holding it, or a pattern it matches."""
    if "*" in manifest_path:
        return fnmatch.fnmatchcase(relative, manifest_path)
    return relative == manifest_path or relative.startswith(manifest_path.rstrip("/") + "/")


def expected_files(template_root: Path, answers: dict) -> set[str]:
    """The exact file set a bake with ``answers`` must produce, derived from the manifest."""
    import jinja2  # only the tests need it; the post-gen hook stays quick to start

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    removed = paths_to_remove(answers)
    expected = set()
    for relative in template_files(template_root):
        rendered = env.from_string(relative).render(cookiecutter=answers)
        if any(_covers(gone, rendered) for gone in removed):
            continue
        expected.add(rendered)
    return expected
