"""Find the command lines a generated file runs: shell scripts, Makefiles, CI YAML script blocks, README bash blocks.

A small shell lexer (not `shlex`, which knows neither `$(...)` nesting nor here-documents): it joins backslash
continuations, skips comments and here-document bodies, splits on `;`, `&&`, `||`, `|`, `&` and newlines, and keeps
each word's line. A word built from `$(...)`, backticks or `$VAR` is marked dynamic (its value is unknown here); the
commands inside `$(...)` are returned too. `"${NAME[@]}"` words are kept as array references for the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Word:
    text: str
    line: int
    dynamic: bool = False  # contains an expansion whose value is not known here
    array: str | None = None  # the whole word is "${NAME[@]}"
    raw: str = ""  # as written, quotes included


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.words[0].line if self.words else 0


_ARRAY_WORD = re.compile(r'^"?\$\{(\w+)\[[@*]\]\}"?$')
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")", "\n")


def matching(text: str, start: int, open_: str, close: str) -> int:
    """Index just past the `close` that balances the `open_` at text[start - 1], skipping quoted parts."""
    depth, i = 1, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "'":
            i = text.find("'", i + 1) + 1 or len(text)
            continue
        if char == '"':
            i = _end_of_double_quote(text, i + 1)
            continue
        if text.startswith("$(", i):
            i = matching(text, i + 2, "(", ")")
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _end_of_double_quote(text: str, i: int) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith("$(", i):
            i = matching(text, i + 2, "(", ")")
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return len(text)


class _Lexer:
    def __init__(self, text: str, first_line: int, line_of=None):
        self.text = text
        # Maps an offset in text to a file line; by default count newlines from first_line.
        self.line_of = line_of or (lambda pos: first_line + text.count("\n", 0, pos))
        self.commands: list[Command] = []
        self.inner: list[tuple[str, int]] = []  # ($(...) body, its offset)

    def run(self, nested: bool = True) -> list[Command]:
        text, i, current = self.text, 0, Command()
        heredocs: list[tuple[str, bool]] = []
        while i < len(text):
            char = text[i]
            if text.startswith("\\\n", i):
                i += 2
            elif char in " \t\r":
                i += 1
            elif char == "#":
                i = text.find("\n", i)
                i = len(text) if i < 0 else i
            elif text.startswith("<<", i) and not text.startswith("<<<", i):
                i, delimiter, strip = self._heredoc_start(i)
                if delimiter:
                    heredocs.append((delimiter, strip))
            elif char in "<>" or (char.isdigit() and text[i + 1 : i + 2] in ("<", ">")):
                i = self._skip_redirection(i)
            elif any(text.startswith(op, i) for op in _OPERATORS):
                if current.words:
                    self.commands.append(current)
                current = Command()
                if char == "\n" and heredocs:
                    i = self._skip_heredoc_bodies(i + 1, heredocs)
                    heredocs = []
                else:
                    i += 2 if text[i : i + 2] in ("&&", "||", ";;") else 1
            else:
                i, word = self._word(i)
                current.words.append(word)
        if current.words:
            self.commands.append(current)
        if not nested:
            return self.commands
        for body, offset in self.inner:
            nested = _Lexer(body, 0, lambda pos, offset=offset: self.line_of(offset + pos))
            self.commands.extend(nested.run())
        return self.commands

    def _heredoc_start(self, i: int) -> tuple[int, str, bool]:
        i += 2
        strip = self.text.startswith("-", i)
        i += 1 if strip else 0
        while i < len(self.text) and self.text[i] in " \t":
            i += 1
        match = re.match(r"""(['"]?)([\w.-]+)\1""", self.text[i:])
        if not match:
            return i, "", strip
        return i + match.end(), match.group(2), strip

    def _skip_heredoc_bodies(self, i: int, heredocs: list[tuple[str, bool]]) -> int:
        for delimiter, strip in heredocs:
            while i < len(self.text):
                end = self.text.find("\n", i)
                end = len(self.text) if end < 0 else end
                line = self.text[i:end]
                i = end + 1
                if (line.lstrip("\t") if strip else line).strip() == delimiter:
                    break
        return i

    def _skip_redirection(self, i: int) -> int:
        while i < len(self.text) and (self.text[i].isdigit() or self.text[i] in "<>&|"):
            i += 1
        while i < len(self.text) and self.text[i] in " \t":
            i += 1
        i, _ = self._word(i)  # the target
        return i

    def _word(self, i: int) -> tuple[int, Word]:
        text, start, parts, dynamic = self.text, i, [], False
        while i < len(text) and text[i] not in " \t\r\n;&|()<>":
            char = text[i]
            if char == "\\":
                parts.append(text[i + 1 : i + 2])
                i += 2
            elif char == "'":
                end = text.find("'", i + 1)
                end = len(text) if end < 0 else end
                parts.append(text[i + 1 : end])
                i = end + 1
            elif char == '"':
                end = _end_of_double_quote(text, i + 1)
                inner = text[i + 1 : end - 1]
                dynamic |= "$" in inner or "`" in inner
                self._collect_substitutions(inner, i + 1)
                parts.append(inner)
                i = end
            elif text.startswith("$((", i):
                end = matching(text, i + 3, "(", ")")
                parts.append(text[i:end])
                dynamic, i = True, end
            elif text.startswith("$(", i):
                end = matching(text, i + 2, "(", ")")
                self.inner.append((text[i + 2 : end - 1], i + 2))
                parts.append(text[i:end])
                dynamic, i = True, end
            elif text.startswith("${{", i):  # GitHub Actions / Azure Pipelines template expression
                end = text.find("}}", i)
                end = len(text) if end < 0 else end + 2
                parts.append(text[i:end])
                dynamic, i = True, end
            elif text.startswith("${", i):
                end = matching(text, i + 2, "{", "}")
                parts.append(text[i:end])
                dynamic, i = True, end
            elif char == "$" and i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] in "_@*#?$!-"):
                match = re.match(r"\$(\w+|.)", text[i:])
                parts.append(match.group(0))
                dynamic, i = True, i + match.end()
            elif char == "`":
                end = text.find("`", i + 1)
                end = len(text) if end < 0 else end
                self.inner.append((text[i + 1 : end], i + 1))
                parts.append(text[i : end + 1])
                dynamic, i = True, end + 1
            else:
                parts.append(char)
                i += 1
        if i == start:  # a lone operator character the caller did not handle: consume it
            return i + 1, Word(text[i : i + 1], self.line_of(i))
        raw = text[start:i]
        array = _ARRAY_WORD.match(raw)
        return i, Word("".join(parts), self.line_of(start), dynamic, array.group(1) if array else None, raw)

    def _collect_substitutions(self, inner: str, offset: int) -> None:
        i = 0
        while i < len(inner):
            if inner.startswith("$((", i):
                i = matching(inner, i + 3, "(", ")")
            elif inner.startswith("$(", i):
                end = matching(inner, i + 2, "(", ")")
                self.inner.append((inner[i + 2 : end - 1], offset + i + 2))
                i = end
            elif inner[i] == "\\":
                i += 2
            else:
                i += 1


def commands(text: str, first_line: int = 1) -> list[Command]:
    """Every simple command of a shell snippet whose first line is `first_line` of its file."""
    return _Lexer(text, first_line).run()


def words(text: str) -> list[Word]:
    """The top-level words of a snippet (what a bash array literal holds), without commands inside $(...)."""
    return [word for command in _Lexer(text, 1).run(nested=False) for word in command.words]


# --- where shell code lives in each kind of file ------------------------------------------------------------------

_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*(\w*)")
_SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}
_SCRIPT_KEY = re.compile(r"^(\s*)(?:-\s+)?(run|script|inlineScript|bash|pwsh|powershell)\s*:\s*(.*)$")


def markdown_snippets(text: str) -> list[tuple[str, int]]:
    """(code, first line) of each fenced bash block."""
    snippets, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, language, start = match.group(2), match.group(3).lower(), i + 1
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            i += 1
        if language in _SHELL_FENCES:
            body = [re.sub(r"^\$ ", "", line) for line in lines[start:i]] if language == "console" else lines[start:i]
            snippets.append(("\n".join(body), start + 1))
        i += 1
    return snippets


def yaml_snippets(text: str) -> list[tuple[str, int]]:
    """(script, first line) of each `run:` (GitHub) or `script:`/`inlineScript:`/`bash:` (Azure Pipelines) value."""
    snippets, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        match = _SCRIPT_KEY.match(lines[i])
        if not match or match.group(2) in ("pwsh", "powershell"):
            i += 1
            continue
        indent, value = len(match.group(1)), match.group(3).strip()
        if value[:1] in ("|", ">"):
            start, i = i + 1, i + 1
            block = []
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            width = min((len(line) - len(line.lstrip()) for line in block if line.strip()), default=0)
            snippets.append(("\n".join(line[width:] for line in block), start + 1))
            continue
        if value[:1] in ("'", '"') and value[-1:] == value[:1]:
            value = value[1:-1]
        if value:
            snippets.append((value, i + 1))
        i += 1
    return snippets


def makefile_snippets(text: str) -> list[tuple[str, int]]:
    """Recipe lines (tab-indented), with make's own prefixes (@, -, +) dropped and `$$` read as `$`."""
    snippets = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("\t"):
            i += 1
            continue
        start, block = i, [lines[i]]
        while block[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            block.append(lines[i])
        code = "\n".join(block).lstrip("\t").lstrip("@-+").replace("$$", "$")
        snippets.append((code, start + 1))
        i += 1
    return snippets
