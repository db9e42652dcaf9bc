"""mkdocs hook: fill the ``<!-- generated: name -->`` markers of the pages (see mlops_template/docs_site.py).

Each build bakes the template afresh (a few seconds), so ``mkdocs serve`` shows template changes too.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

# mkdocs imports hooks by file path; the template's package sits two folders up.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mlops_template import docs_site

_bakes: docs_site.BakedProjects | None = None


def on_pre_build(config) -> None:
    global _bakes
    _bakes = docs_site.BakedProjects()


def on_page_markdown(markdown: str, page, config, files) -> str:
    try:
        return docs_site.expand(markdown, _bakes)
    # A missing marker, heading or code block: name the page. Other errors keep their traceback.
    except KeyError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from error


# mermaid's own build, installed for the diagram checks (npm ci --prefix docs/tools). The site ships it so the
# diagrams draw offline; without it the theme finds no `mermaid` global and loads mermaid from a CDN instead.
LOCAL_MERMAID = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


def on_post_build(config) -> None:
    if LOCAL_MERMAID.is_file():
        target = Path(config["site_dir"]) / "javascripts" / "mermaid.min.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LOCAL_MERMAID, target)
    if _bakes is not None:
        _bakes.cleanup()


def on_build_error(error) -> None:
    if _bakes is not None:
        _bakes.cleanup()
