"""Every `az` and `gh` call a generated file makes names a real command, real options, and every required option.

The definitions come from tests/data/cli_commands.json, extracted by tests/tools/extract_cli_commands.py from the
`azure-cli` package (core commands, loaded in-process), the `ml` extension's source (Azure/azure-cli-extensions
src/machinelearningservices/azext_mlv2) and the GitHub CLI's source (cli/cli pkg/cmd). Only commands under the
extract's covered prefixes are checked (its "covered" list); `az devops`/`pipelines`/`repos` are not covered yet.

Calls are found in shell scripts, Makefiles, GitHub workflow and action `run:` blocks, Azure Pipelines
`script:`/`inlineScript:`/`bash:` blocks and README fenced bash blocks (see shell_calls). Options spliced in from a
bash array defined literally in the same file or in another generated script (`"${AZ_ML[@]}"`) are checked as if
written out; values from `$(...)` or variables are not known and not checked.

`check_argv(argv)` checks one recorded call (a list of strings, as a stand-in for az/gh records it).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from contracts import Contract, shell_calls

DATA = Path(__file__).resolve().parents[1] / "data" / "cli_commands.json"
SOURCE = "azure-cli (PyPI), Azure/azure-cli-extensions azext_mlv2, cli/cli: tests/data/cli_commands.json"

# ci/common.sh sets AZ_ML to these two options for the environment it is given; a file that uses the array without
# defining it (every other ci/*.sh) gets this value.
DEFAULT_ARRAYS = {"AZ_ML": ["--resource-group", "RG", "--workspace-name", "WS"]}

_ARRAY_DEFINITION = re.compile(r"(?<![\w$-])(\w+)(\+?)=\((?!\()")


@functools.cache
def _table() -> dict:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["_commands"] = {name: {**spec, "_options": set(spec["options"])} for name, spec in data["commands"].items()}
    data["_covered"] = [tuple(prefix.split()) for prefix in data["covered"]]
    data["_groups"] = {tuple(name.split()[:n]) for name in data["commands"] for n in range(1, len(name.split()))}
    return data


def _problems_of(words: list[str], unknown_tail: bool) -> list[str]:
    """Problems of one call: words[0] is az or gh; unknown_tail means some options could not be read."""
    table = _table()
    tool = words[0]
    positionals, incomplete = [], False
    for word in words[1:]:
        if word is None:  # a command word or argument read from a variable
            incomplete = True
            break
        if word.startswith("-"):
            break
        positionals.append(word)
    if not any(tuple([tool, *positionals[: len(p) - 1]]) == p for p in table["_covered"]):
        return []
    command = None
    for length in range(len(positionals), 0, -1):
        name = " ".join([tool, *positionals[:length]])
        if name in table["_commands"]:
            command = name
            break
    if command is None and incomplete:
        return []
    if command is None or (tool == "az" and len(command.split()) - 1 < len(positionals)):
        shown = " ".join([tool, *positionals])
        return [f"`{shown}` is not a command of {tool} (extract: {_source_of(tool, positionals)})"]
    spec = table["_commands"][command]
    if spec.get("options_unknown"):
        return []
    allowed = spec["_options"] | set(table["global_options"][tool])
    flags = set(spec["flags"]) | set(table["global_flags"][tool])
    used, problems, expect_value = set(), [], False
    for word in words[len(command.split()) :]:
        if word is None:
            expect_value = False
            continue
        if expect_value:
            expect_value = False
            continue
        if not word.startswith("-") or word == "-" or word == "--":
            continue
        option = word.split("=", 1)[0]
        if option not in allowed and not (len(option) > 2 and option[1] != "-" and option[:2] in allowed):
            problems.append(f"`{command}` has no option {option}")
            continue
        used.add(option if option in allowed else option[:2])
        expect_value = "=" not in word and option not in flags
    if not unknown_tail and not spec.get("required_unknown"):
        for aliases in spec["required"]:
            if not used & set(aliases):
                problems.append(f"`{command}` needs {'/'.join(aliases)}")
    return problems


def _source_of(tool: str, positionals: list[str]) -> str:
    sources = _table()["sources"]
    if tool == "gh":
        return "cli/cli"
    if positionals[:1] == ["ml"]:
        return f"ml extension {sources['az ml']['version']}"
    return f"azure-cli {sources['az']['version']}"


def check_argv(argv: list[str]) -> list[str]:
    """Problems of one recorded call, e.g. ["az", "ml", "job", "create", "--file", "x.yml", ...]."""
    if not argv or Path(argv[0]).name not in ("az", "gh"):
        return []
    return _problems_of([Path(argv[0]).name, *argv[1:]], unknown_tail=False)


# --- files -------------------------------------------------------------------------------------------------------


def _snippets(relative: str, text: str) -> list[tuple[str, int]]:
    name = Path(relative).name
    if name.endswith(".md"):
        return shell_calls.markdown_snippets(text)
    if name.endswith((".yml", ".yaml")):
        return shell_calls.yaml_snippets(text)
    if name == "Makefile" or name.endswith(".mk"):
        return shell_calls.makefile_snippets(text)
    return [(text, 1)]


def _arrays(text: str) -> dict[str, list[str]]:
    """Literal bash arrays NAME=(...) / NAME+=(...) of a file (every assignment's words together)."""
    found: dict[str, list[str]] = {}
    for match in _ARRAY_DEFINITION.finditer(text):
        end = shell_calls.matching(text, match.end(), "(", ")")
        body = text[match.end() : end - 1]
        words = [w.text if not w.dynamic else "$" for w in shell_calls.words(body)]
        found.setdefault(match.group(1), []).extend(words)
    return found


def _expand(command: shell_calls.Command, arrays: dict[str, list[str]]) -> tuple[list[str | None], bool]:
    """The call's words with array references spliced in. Dynamic words become None (a value we cannot read) or,
    where a command or option name is expected, make the rest unreadable."""
    words: list[str | None] = []
    unknown = False
    for previous, word in zip([None, *command.words], command.words, strict=False):
        if word.array:
            if word.array in arrays:
                words.extend(None if w == "$" else w for w in arrays[word.array])
            else:
                unknown = True
            continue
        if word.dynamic:
            # An unquoted $VAR that is not an option's value may hold several options: the rest is unreadable.
            is_value = previous is not None and previous.text.startswith("-")
            if word.raw.startswith("$") and not word.raw.startswith("$(") and not is_value:
                unknown = True
            words.append(None)
            continue
        words.append(word.text)
    return words, unknown


_PREFIXES = {"sudo", "time", "exec", "command", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "}"}


def _calls(text: str, relative: str, arrays: dict[str, list[str]]) -> list[tuple[int, list[str | None], bool]]:
    found = []
    for snippet, first_line in _snippets(relative, text):
        for command in shell_calls.commands(snippet, first_line):
            words = command.words
            start = 0
            while start < len(words) and (words[start].text in _PREFIXES or re.match(r"^\w+=", words[start].text)):
                start += 1
            if start >= len(words) or words[start].dynamic or words[start].text not in ("az", "gh"):
                continue
            expanded, unknown = _expand(shell_calls.Command(words[start:]), arrays)
            found.append((words[start].line, expanded, unknown))
    return found


def check(root: Path, files: list[str]) -> list[str]:
    texts = {relative: (root / relative).read_text(encoding="utf-8", errors="replace") for relative in files}
    shared = dict(DEFAULT_ARRAYS)
    for relative, text in texts.items():
        if relative.endswith(".sh"):
            shared.update(_arrays(text))
    problems = []
    for relative, text in texts.items():
        arrays = {**shared, **_arrays(text)}
        for line, words, unknown in _calls(text, relative, arrays):
            for problem in _problems_of(words, unknown):
                problems.append((relative, line, problem))
    return [f"{relative}:{line}: {problem}" for relative, line, problem in sorted(problems)]


PATTERNS = (
    "*.sh",
    "Makefile",
    "*/Makefile",
    "*.mk",
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".github/actions/*.yml",
    ".github/actions/*.yaml",
    ".azuredevops/*.yml",
    "azure-pipelines*.yml",
    "*.md",
)


_VALID_SCRIPT = """\
#!/usr/bin/env bash
source ci/common.sh
AZ_ML=(--resource-group rg --workspace-name ws)
overrides=(--set "endpoint_name=$ENDPOINT" --name monitor)
az ml schedule create --file mlops/monitor.yml \\
  "${overrides[@]}" "${AZ_ML[@]}"
NAME="$(az ml online-endpoint show --name "$ENDPOINT" "${AZ_ML[@]}" --query name -o tsv)"
gh variable set AZURE_CLIENT_ID --env dev --body "$APP_ID"
"""

CONTRACTS = (
    Contract(
        name="az/gh calls use real commands and options",
        patterns=PATTERNS,
        check=check,
        source=SOURCE,
        # Issue 12, defect 3: `az ml schedule update` is a generic update command (no --file; --name is required).
        broken={"ci/deploy.sh": 'az ml schedule update --file mlops/monitor.yml --set "x=y" "${AZ_ML[@]}"\n'},
        valid={"ci/deploy.sh": _VALID_SCRIPT},
    ),
)
