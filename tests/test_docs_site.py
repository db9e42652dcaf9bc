"""The documentation site builds in strict mode, shows every option, and shows what a bake really contains.

Also: the flow diagram of the generated README is tailored to each pattern and is valid mermaid
(parsed by mermaid itself when docs/tools has been installed with `npm ci --prefix docs/tools`).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from mlops_template import docs_site, naming, options

# Module-scoped fixtures build something expensive once: keep the module on one xdist worker.
pytestmark = pytest.mark.xdist_group("docs_site")

ROOT = options.TEMPLATE_ROOT
MERMAID_CHECK = ROOT / "docs" / "tools" / "check_mermaid.mjs"
MERMAID_INSTALLED = (ROOT / "docs" / "tools" / "node_modules" / "mermaid").is_dir() and shutil.which("node")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built once with ``mkdocs build --strict`` (any warning fails the build)."""
    site_dir = tmp_path_factory.mktemp("site")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    print(f"mkdocs build --strict: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir


@pytest.fixture(scope="module")
def default_bake(tmp_path_factory) -> Path:
    """A bake of our own: the session's shared bakes may hold caches once their own tests have run."""
    return docs_site.bake({}, tmp_path_factory.mktemp("default-bake"))


def raw_page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def page(site: Path, name: str) -> str:
    """The page as text: tags removed (code is highlighted token by token), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", raw_page(site, name)))


def soup(built: Path) -> BeautifulSoup:
    return BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser")


def test_no_escaped_pipe_or_raw_jinja_in_any_page(site):
    """Derived defaults read as words: the site's renderer showed `{{ cookiecutter.project_name \\| slugify }}`."""
    for built in site.rglob("*.html"):
        text = soup(built).get_text()
        for raw in ("\\|", "{{", "{%"):
            assert raw not in text, (built.relative_to(site), raw)


def _nowrap_selectors() -> list[str]:
    css = re.sub(
        r"/\*.*?\*/", "", (ROOT / "docs" / "stylesheets" / "extra.css").read_text(encoding="utf-8"), flags=re.S
    )
    return [
        selector.strip()
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        if re.search(r"white-space:\s*nowrap", body)
        for selector in selectors.split(",")
    ]


def test_option_names_in_tables_do_not_break_mid_word(site):
    """A table cell that starts with an option name keeps that name on one line (it broke as `project_nam` / `e`)."""
    selectors = _nowrap_selectors()
    assert selectors, "docs/stylesheets/extra.css has no white-space: nowrap rule"
    names = set(options.public_keys())
    for built in (site / "index.html", site / "options" / "index.html"):
        page = soup(built)
        assert any(link["href"].endswith("stylesheets/extra.css") for link in page.find_all("link", rel="stylesheet"))
        kept_whole = {id(element) for selector in selectors for element in page.select(selector)}
        starts = [
            cell.find("code")
            for cell in page.select("td")
            if cell.find("code") is not None
            and cell.find("code").get_text() in names
            and cell.get_text().startswith(cell.find("code").get_text())
        ]
        assert len(starts) >= len(options.public_keys()), built
        for code in starts:
            assert id(code) in kept_whole, (built.relative_to(site), code.get_text())


def test_table_of_contents_lists_each_heading_once(site):
    """Tabs repeat a generated README's steps per pattern; their headings stay out of the page's contents."""
    for built in site.rglob("index.html"):
        toc = soup(built).select_one("nav.md-nav--secondary")
        entries = [link.get_text(" ", strip=True) for link in toc.select("a.md-nav__link")] if toc else []
        assert len(entries) == len(set(entries)), (built.relative_to(site), entries)
    connect = page(site, "connect-azure")
    assert connect.count("1. Put the code in a repository") == len(docs_site.docs_patterns())


def test_getting_started_says_what_the_readme_command_does():
    """The one-liner is described by what it runs: the page said "runs its tests" for a command ending in make loop."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = docs_site.first_code_block(docs_site.section(readme, "Generate a project and run it"), "bash")
    guide = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    text = " ".join(docs_site.section(guide, "2. Generate a project and run it").split())
    described = {
        "installs the project": ("pip install -e", "make install"),
        "runs its local training loop": ("make loop",),
        "runs its tests": ("make test", "pytest"),
    }
    for words, steps in described.items():
        assert (words in text) == any(step in command for step in steps), (words, command)


def _mermaid_blocks(built: Path) -> list[str]:
    return [element.get_text() for element in soup(built).select("pre.mermaid")]


def test_site_shows_the_readme_diagrams_where_a_picture_helps(site):
    """The pattern matrix, each choice and each CI platform's flow are drawn with the README's own diagram."""
    options_page = _mermaid_blocks(site / "options" / "index.html")
    for key in options.CORE_DIMENSIONS:
        for value in options.choices(key):
            diagram = docs_site.first_code_block(docs_site.flow_diagram({key: value}), "mermaid")
            assert diagram.strip() in [block.strip() for block in options_page], (key, value)
    assert any(all(key in block for key in options.CORE_DIMENSIONS) for block in options_page), "no matrix diagram"
    connect = [block.strip() for block in _mermaid_blocks(site / "connect-azure" / "index.html")]
    for platform in options.choices("ci_platform"):
        assert docs_site.first_code_block(docs_site.flow_diagram({"ci_platform": platform}), "mermaid") in connect
    assert "pymdownx.superfences" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.skipif(not MERMAID_INSTALLED, reason="mermaid parser not installed: npm ci --prefix docs/tools")
def test_every_diagram_of_the_built_site_parses(site, tmp_path):
    """What the browser gets: each `<pre class="mermaid">` of the built pages, parsed by mermaid 11."""
    files, expected = [], 0
    for built in sorted(site.rglob("index.html")):
        blocks = _mermaid_blocks(built)
        expected += len(blocks)
        files.append(tmp_path / f"{len(files)}.md")
        files[-1].write_text("".join(f"```mermaid\n{block.rstrip()}\n```\n\n" for block in blocks), encoding="utf-8")
    assert expected >= 12
    result = subprocess.run(["node", str(MERMAID_CHECK), *map(str, files)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sum(int(line.split()[-1]) for line in result.stdout.splitlines() if line.startswith("checked")) == expected


def test_no_marker_is_left_unfilled(site):
    for built in site.rglob("*.html"):
        assert "generated:" not in built.read_text(encoding="utf-8"), built


def test_every_option_of_cookiecutter_json_is_documented(site):
    text = page(site, "options")
    markup = raw_page(site, "options")
    raw = options.cookiecutter_json()
    for key in options.public_keys():
        assert key in text, key
        assert options.prompt_text(key) in text, key
        if isinstance(raw[key], list):
            for value in raw[key]:
                assert f"<code>{value}</code>" in markup, (key, value)
                assert docs_site._label(key, value) in text, (key, value)


def test_every_azure_name_format_is_documented(site):
    text = page(site, "options")
    for rule in naming.RULES.values():
        assert rule.name_format in text


def test_baked_project_page_lists_every_file_of_a_real_bake(site, default_bake):
    text = page(site, "baked-project")
    project = default_bake
    for path in project.rglob("*"):
        assert f" {path.name}{'/' if path.is_dir() else ''}\n" in text, path.relative_to(project)


def test_getting_started_uses_the_readme_command_and_the_real_make_targets(site, default_bake):
    text = page(site, "getting-started")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs_site.first_code_block(docs_site.section(readme, "Generate a project and run it"), "bash") in text
    for line in docs_site.make_help(default_bake).splitlines():
        assert line.strip() in text


def test_guides_show_both_iac_tools_and_both_ci_platforms(site):
    guide = page(site, "terraform-vs-bicep")
    assert "main.tf" in guide and "main.bicep" in guide
    connect = page(site, "connect-azure")
    assert "token.actions.githubusercontent.com" in connect and "WorkloadIdentityFederation" in connect


def test_unknown_marker_stops_the_build():
    with pytest.raises(KeyError, match="no-such-block"):
        docs_site.expand("<!-- generated: no-such-block -->", bakes=None)


def test_section_skips_shell_comments_in_code_blocks():
    markdown = "## A\n\n```bash\n# not a heading\necho hi\n```\n\n### A.1\n\nmore\n\n## B\n\nlast\n"
    assert docs_site.section(markdown, "A") == "```bash\n# not a heading\necho hi\n```\n\n### A.1\n\nmore"
    assert docs_site.section(markdown, "B") == "last"
    with pytest.raises(KeyError):
        docs_site.section(markdown, "not a heading")


def flow_diagrams() -> dict[str, str]:
    """The README's flow diagram for every core pattern, with and without private networking."""
    diagrams = {}
    for pattern in options.core_patterns():
        for secure in (False, True):
            answers = {**pattern, "secure_workspace": secure}
            diagrams[f"{options.pattern_id(pattern)}-secure{secure}"] = (
                answers,
                docs_site.render_partial("readme/flow_diagram.md.j2", answers),
            )
    return diagrams


def test_flow_diagram_is_tailored_to_each_pattern():
    for name, (answers, text) in flow_diagrams().items():
        full = docs_site.full_answers(answers)
        names = naming.names_for(full["resource_prefix"], full["name_suffix"], "dev")
        assert "```mermaid\ngraph TD\n" in text, name
        assert ("Terraform" in text) == (answers["infrastructure"] == "terraform"), name
        assert ("GitHub Actions" in text) == (answers["ci_platform"] == "github_actions"), name
        endpoint = names["online_endpoint"] if answers["deployment_mode"] == "online" else names["batch_endpoint"]
        assert endpoint in text, name
        assert names["workspace"] in text, name
        assert ("private endpoints" in text) == answers["secure_workspace"], name
        assert "make loop" in text, name
        assert "{{" not in text and "{%" not in text, name


@pytest.mark.skipif(not MERMAID_INSTALLED, reason="mermaid parser not installed: npm ci --prefix docs/tools")
def test_every_mermaid_diagram_parses(tmp_path):
    """Each pattern's README diagram and every diagram of the site's pages, parsed by mermaid 11."""
    files = []
    for name, (_, text) in flow_diagrams().items():
        files.append(tmp_path / f"flow-{name}.md")
        files[-1].write_text(text, encoding="utf-8")
    bakes = docs_site.BakedProjects()
    try:
        for source in sorted((ROOT / "docs").glob("*.md")):
            files.append(tmp_path / source.name)
            files[-1].write_text(docs_site.expand(source.read_text(encoding="utf-8"), bakes), encoding="utf-8")
    finally:
        bakes.cleanup()
    result = subprocess.run(["node", str(MERMAID_CHECK), *map(str, files)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # The tabs of the site indent their diagrams; count that every diagram was seen at all.
    checked = sum(int(line.split()[-1]) for line in result.stdout.splitlines() if line.startswith("checked"))
    assert checked >= len(flow_diagrams()) + 4


@pytest.mark.slow
def test_getting_started_prediction_runs_after_the_local_loop(tmp_path):
    """Steps 4 and 5 of the getting-started page, exactly as written, in a fresh bake (about 30 s)."""
    project = docs_site.bake({}, tmp_path)  # not the shared `baked` project: the loop writes into it
    quiet = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    # A short training is enough: the page is about loading and calling the model, not its quality.
    loop = subprocess.run(
        ["make", "loop", "ARGS=--max-iter 10"], cwd=project, capture_output=True, text=True, env=quiet, timeout=600
    )
    assert loop.returncode == 0, loop.stdout[-3000:] + loop.stderr[-3000:]
    guide = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    snippet = docs_site.first_code_block(docs_site.section(guide, "5. See a prediction"), "python")
    # The page runs it where `make install` installed the project: here its sources are on the path instead.
    installed = {**quiet, "PYTHONPATH": str(project / "src")}
    result = subprocess.run(
        [sys.executable, "-c", snippet], cwd=project, capture_output=True, text=True, env=installed, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "predicted" in result.stdout and "APP-" in result.stdout
