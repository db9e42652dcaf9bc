"""The documentation site as a reader sees it: every page opened in a real headless browser (Debian's chromium).

Checks what a built HTML file cannot show: the mermaid diagrams are drawn (the theme renders them in the
browser, from the local mermaid the site ships), nothing shows raw template syntax or an escaped pipe, and
each page renders. The theme draws each diagram into a closed shadow root, which no DOM dump can read; the
test's copy of the site therefore lets shadow content render in place (a one-line script before the
theme's), so the drawn SVG appears in the dump.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from mlops_template import options

# Module-scoped fixtures build something expensive once: keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("docs_browser")

ROOT = options.TEMPLATE_ROOT
# The flags the machine's own browser check uses: no background traffic, no sandbox as root, a fresh profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
)
SHADOW_IN_PLACE = "<script>Element.prototype.attachShadow = function () { return this; };</script>"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run does)")
    return found


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("browser-site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    for page in site.rglob("*.html"):
        page.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + SHADOW_IN_PLACE, 1))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _pages(site: Path) -> list[str]:
    pages = sorted(p.relative_to(site).parent.as_posix() for p in site.rglob("index.html"))
    return [p for p in pages if p != "." and not p.startswith(("search", "assets"))] + ["."]


def _open(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_page_renders_its_diagrams_and_no_template_syntax(served_site, tmp_path):
    site, base = served_site
    drawn = 0
    for page in _pages(site):
        built = BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
        diagrams = len(built.select("pre.mermaid"))
        result = _open(f"{base}/{page}/", tmp_path / page.replace("/", "_"), "--dump-dom")
        assert result.returncode == 0, result.stderr[-2000:]
        shown = BeautifulSoup(result.stdout, "html.parser")
        text = shown.get_text(" ")
        assert "{{" not in text and "{%" not in text, f"{page}: raw template syntax on the page"
        assert "\\|" not in text, f"{page}: an escaped pipe shows as a backslash"
        rendered = shown.select("div.mermaid")
        assert len(rendered) == diagrams, f"{page}: {diagrams} diagrams in the page, {len(rendered)} drawn"
        for number, diagram in enumerate(rendered, 1):
            svg = diagram.find("svg")
            assert svg is not None, f"{page}: diagram {number} has no drawing"
            assert svg.get("aria-roledescription") != "error", f"{page}: diagram {number} is mermaid's error"
            assert diagram.select("g.node"), f"{page}: diagram {number} has no nodes"
        drawn += len(rendered)
    assert drawn >= 10, "the site has fewer diagrams than the pattern matrix alone draws"


def test_a_page_screenshot_is_drawn(served_site, tmp_path):
    _, base = served_site
    shot = tmp_path / "options.png"
    result = _open(f"{base}/options/", tmp_path, "--window-size=1280,2000", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000, "the screenshot is nearly empty: the page did not draw"
