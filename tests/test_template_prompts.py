"""The interactive prompts, driven in a pseudo-terminal as a user types them.

A bad answer is reported right after it is typed and asked again (no answer is lost, no traceback follows);
a value derived from an earlier answer is explained as derived. Cookiecutter asks with rich's ``Prompt.ask``
(cookiecutter 2.7 ``prompt.read_user_variable``); rich honours ``NO_COLOR`` and ``COLUMNS``.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from mlops_template.baking import TEMPLATE_ROOT, isolated_config

QUESTION = re.compile(r"(\)|\]): $")


class Terminal:
    """A process on a pseudo-terminal: read what it printed, type a line."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "250"}
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env)
        os.close(slave)
        self.output = ""

    def read_until_question(self, timeout: float = 30) -> str:
        """Everything printed up to the next question; the question is its last line."""
        start, deadline = len(self.output), time.monotonic() + timeout
        while not QUESTION.search(self.output[start:]):
            if not self._read(deadline):
                raise AssertionError(f"no question came; the terminal shows:\n{self.output[start:]}")
        return self.output[start:]

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def finish(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while self._read(deadline):
            pass
        return self.process.wait(timeout=max(deadline - time.monotonic(), 1))

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the process ended and closed the terminal
            return False
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)


def _cookiecutter(tmp_path: Path) -> Terminal:
    config = isolated_config(tmp_path / "config")
    command = [sys.executable, "-m", "cookiecutter", "--config-file", str(config), "-o", str(tmp_path / "out")]
    return Terminal([*command, str(TEMPLATE_ROOT)], tmp_path)


def test_a_bad_answer_is_asked_again_at_once_and_nothing_is_lost(tmp_path):
    terminal = _cookiecutter(tmp_path)
    assert "[1/18] Project name" in terminal.read_until_question()
    terminal.type("!!!")  # slugifies to nothing: the folder name it derives is empty
    assert "[2/18] Repository folder name" in terminal.read_until_question()
    terminal.type("")  # accept the (empty) derived folder name
    shown = terminal.read_until_question()
    assert "project_slug: '' is not valid" in shown and "starting with a letter" in shown
    assert "[3/18]" not in shown, "the bad answer was not asked again at once"
    terminal.type("demo-project")
    assert "[3/18] Python package name (demo_project)" in terminal.read_until_question()
    for _ in range(5):  # package name, infrastructure, CI, scenario, deployment: the defaults
        terminal.type("")
        terminal.read_until_question()
    terminal.type("West Europe")  # the region, written as the portal shows it
    shown = terminal.read_until_question()
    assert "azure_location: 'West Europe' is not valid" in shown and "[9/18]" not in shown
    terminal.type("westeurope")
    assert "[9/18] Prefix" in terminal.read_until_question()
    for _ in range(9):  # prefix, suffix, private networking, Python version, the five building blocks
        terminal.type("")
        terminal.read_until_question()
    terminal.type("not-an-email")  # the last question is checked too, before anything is written
    shown = terminal.read_until_question()
    assert "alert_email: 'not-an-email' is not valid" in shown
    assert not (tmp_path / "out").exists()
    terminal.type("ops@example.com")

    assert terminal.finish() == 0, terminal.output
    assert "Traceback" not in terminal.output
    project = tmp_path / "out" / "demo-project"
    assert (project / "src" / "demo_project").is_dir()
    assert 'name = "demo-project"' in (project / "pyproject.toml").read_text(encoding="utf-8")
    assert "ops@example.com" in (project / "config" / "dev.yml").read_text(encoding="utf-8")


def test_template_syntax_typed_at_the_prompt_is_refused_and_asked_again(tmp_path):
    marker = tmp_path / "marker"
    terminal = _cookiecutter(tmp_path)
    terminal.read_until_question()
    terminal.type(f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}")
    shown = terminal.read_until_question()
    assert "project_name: " in shown and "template syntax" in shown
    assert "Project name" in shown.splitlines()[-1], "the name was not asked again"
    terminal.process.kill()
    terminal.finish(timeout=10)
    assert not marker.exists()


def test_a_yes_that_does_not_go_with_the_scenario_is_asked_again_at_once(tmp_path):
    terminal = _cookiecutter(tmp_path)
    terminal.read_until_question()
    for answer in ["Demo", "", "", "", "", "2"]:  # name, slug, package, IaC, CI, then scenario 2 = cv
        terminal.type(answer)
        terminal.read_until_question()
    for _ in range(10):  # deployment .. observability store: the defaults
        terminal.type("")
        terminal.read_until_question()
    terminal.type("y")  # a feature store for images
    shown = terminal.read_until_question()
    assert "feature_store: true is not valid with ml_scenario='cv'" in shown
    assert "Managed feature store" in shown.splitlines()[-1], "the feature store was not asked again"
    terminal.type("n")
    assert "E-mail address" in terminal.read_until_question()
    terminal.type("")
    assert terminal.finish() == 0, terminal.output
    assert (tmp_path / "out" / "demo" / "src" / "demo").is_dir()
