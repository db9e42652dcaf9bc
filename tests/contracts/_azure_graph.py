"""Azure Pipelines stage and job graphs, our own templates inlined (rules and sources: workflow_graph.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ._graph_common import ancestors, line_of, load, script_texts, sets_output

# Status functions of Azure Pipelines conditions (learn.microsoft.com, "Pipeline conditions" and
# "Expressions", Job status check functions). A condition that requires none of succeeded() lets the
# stage or job run after a failed (or even canceled) dependency.
AFTER_FAILURE = re.compile(r"\b(always|failed|succeededOrFailed|canceled)\(")
SUCCEEDED = re.compile(r"\bsucceeded\(")
PARAMETER = re.compile(r"\$\{\{\s*parameters\.([\w-]+)\s*\}\}")
STAGE_OUTPUT = re.compile(r"\bdependencies\.([\w-]+)\.outputs\['([\w.-]+)'\]")
STAGE_RESULT = re.compile(r"\bdependencies\.([\w-]+)\.result\b")
CROSS_STAGE_OUTPUT = re.compile(r"\bstageDependencies\.([\w-]+)\.([\w-]+)\.outputs\['([\w.-]+)'\]")
SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")
DOCS_CONDITIONS = (
    'learn.microsoft.com, Azure Pipelines, "Pipeline conditions": by default a stage or job runs only if all its '
    "direct and indirect dependencies succeeded"
)


@dataclass
class Job:
    name: str
    deployment: bool
    depends: list[str]
    condition: str
    variables: object
    steps: list[dict]


@dataclass
class Stage:
    name: str
    depends: list[str]
    condition: str
    variables: object
    line: int
    jobs: dict[str, Job] = field(default_factory=dict)


def truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    return bool(value)


def evaluate(expression: str, params: dict):
    """A compile-time `${{ if }}` expression over parameters; None when it is beyond this small evaluator."""
    expression = expression.strip()
    if expression.startswith("parameters."):
        return truthy(params.get(expression.split(".", 1)[1]))
    for name in ("not", "eq", "ne"):
        if expression.startswith(f"{name}(") and expression.endswith(")"):
            args = [evaluate_value(part, params) for part in split_args(expression[len(name) + 1 : -1])]
            if None in args:
                return None
            if name == "not":
                return not truthy(args[0])
            same = str(args[0]).lower() == str(args[1]).lower()
            return same if name == "eq" else not same
    return None


def evaluate_value(text: str, params: dict):
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    if text.startswith("parameters."):
        return params.get(text.split(".", 1)[1])
    if text in ("true", "false"):
        return text == "true"
    return evaluate(text, params)


def split_args(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    return [*parts, current]


def render(node, params: dict):
    """Substitute ${{ parameters.x }} and resolve ${{ if }} / ${{ else }} keys (both branches when unknown)."""
    if isinstance(node, str):
        whole = PARAMETER.fullmatch(node.strip())
        if whole:
            return params.get(whole[1], "")
        return PARAMETER.sub(lambda match: str(params.get(match[1], "")), node)
    if isinstance(node, list):
        result, previous = [], True
        for item in node:
            if isinstance(item, dict) and item and all(str(key).startswith("${{") for key in item):
                # `- ${{ if }}:` and `- ${{ else }}:` are separate items of the list: carry the outcome over.
                chosen, previous = _branches(item, params, previous)
                for value in chosen:
                    rendered = render(value, params)
                    result += rendered if isinstance(rendered, list) else [rendered]
            else:
                result.append(render(item, params))
        return result
    if isinstance(node, dict):
        result: dict = {}
        plain = {key: value for key, value in node.items() if not str(key).startswith("${{")}
        conditional = {key: value for key, value in node.items() if str(key).startswith("${{")}
        for key, value in plain.items():
            result[key] = render(value, params)
        for value in _branches(conditional, params)[0]:
            rendered = render(value, params)
            if isinstance(rendered, dict):
                result.update(rendered)
        return result
    return node


def _branches(conditional: dict, params: dict, previous: bool = True) -> tuple[list, bool]:
    """The values of the branches taken, and whether the last `if` held (for an `else` that follows)."""
    chosen = []
    for key, value in conditional.items():
        inner = str(key)[3:-2].strip()
        if inner.startswith("if ") or inner.startswith("elseif "):
            outcome = evaluate(inner.split(" ", 1)[1], params)
            if outcome is None or outcome:
                chosen.append(value)
            previous = outcome if outcome is not None else False
        elif inner == "else" and not previous:
            chosen.append(value)
        # ${{ each }} and other keys only shape values (e.g. env): not part of the graph.
    return chosen, previous


def template_parameters(template: dict, passed: dict) -> dict:
    declared = template.get("parameters") or []
    params = {p["name"]: p.get("default") for p in declared if isinstance(p, dict) and "name" in p}
    return params | (passed or {})


def expand(entries, path: Path, params: dict, key: str) -> list[tuple[dict, Path, dict]]:
    """Entries of a `jobs`/`steps`/`stages` list with our own templates inlined: (entry, its file, its parameters)."""
    found = []
    for entry in render(entries or [], params):
        if not isinstance(entry, dict):
            continue
        reference = entry.get("template")
        if isinstance(reference, str) and "@" not in reference:
            target = (path.parent / reference).resolve()
            if not target.is_file():
                continue  # a missing template is reported by the template-resolution test
            template = load(target) or {}
            inner = template_parameters(template, entry.get("parameters") or {})
            found += expand(template.get(key), target, inner, key)
        else:
            found.append((entry, path, params))
    return found


def job_steps(job: dict, path: Path, params: dict) -> list[dict]:
    steps = []
    for key, value in job.items():
        if key == "steps" and isinstance(value, list):
            steps += [step for step, _, _ in expand(value, path, params, "steps")]
        elif isinstance(value, dict):
            steps += job_steps(value, path, params)
    return steps


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def stages_of(path: Path, document: dict) -> list[Stage]:
    text = path.read_text(encoding="utf-8")
    raw = expand(document.get("stages"), path, {}, "stages")
    if not raw and document.get("jobs"):
        raw = [({"stage": "__pipeline__", "jobs": document["jobs"]}, path, {})]
    stages, previous = [], None
    for entry, where, params in raw:
        name = str(entry.get("stage", ""))
        depends = as_list(entry["dependsOn"]) if "dependsOn" in entry else ([previous] if previous else [])
        stage = Stage(
            name,
            depends,
            str(entry.get("condition") or ""),
            entry.get("variables"),
            line_of(text, rf"^\s*- stage: {re.escape(name)}\s*$"),
        )
        for job, job_path, job_params in expand(entry.get("jobs"), where, params, "jobs"):
            job_name = str(job.get("job") or job.get("deployment") or "")
            stage.jobs[job_name] = Job(
                job_name,
                "deployment" in job,
                as_list(job.get("dependsOn")),
                str(job.get("condition") or ""),
                job.get("variables"),
                job_steps(job, job_path, job_params),
            )
        stages.append(stage)
        previous = name
    return stages


def strings(node) -> str:
    if isinstance(node, dict):
        return "\n".join(strings(value) for value in node.values())
    if isinstance(node, list):
        return "\n".join(strings(value) for value in node)
    return str(node) if node is not None else ""


def step_text(step: dict) -> str:
    inputs = step.get("inputs") or {}
    parts = [str(step.get(key, "")) for key in SCRIPT_KEYS]
    parts += [str(inputs.get(key, "")) for key in ("scriptPath", "inlineScript", "filePath", "script")]
    return "\n".join(part.replace("$(Build.SourcesDirectory)/", "") for part in parts if part)


def graph_problems(where, kind: str, nodes: dict[str, tuple[list[str], str]]) -> list[str]:
    """Dependencies exist; a node without a condition below a failure-tolerant one; tolerant nodes test something.

    ``where(name)`` gives the ``path:line`` of a stage or job."""
    problems = []
    parents = {name: depends for name, (depends, _) in nodes.items()}
    for name, (depends, condition) in nodes.items():
        at = where(name)
        for dependency in depends:
            if dependency not in nodes:
                problems.append(f"{at}: {kind} '{name}' depends on '{dependency}', which does not exist")
        tolerant_self = condition and (AFTER_FAILURE.search(condition) or not SUCCEEDED.search(condition))
        if not condition:
            for ancestor, path in sorted(ancestors(name, parents).items()):
                other = nodes.get(ancestor, ([], ""))[1]
                if other and (AFTER_FAILURE.search(other) or not SUCCEEDED.search(other)):
                    problems.append(
                        f"{at}: {kind} '{name}' depends on '{' -> '.join(path)}', and '{ancestor}' runs after "
                        f"its dependencies failed ({other}); with the default condition '{name}' is skipped "
                        f"whenever that happens ({DOCS_CONDITIONS}). State its condition, e.g. "
                        f"condition: and(not(canceled()), eq(dependencies.{path[0]}.result, 'Succeeded'))"
                    )
                    break
        elif tolerant_self and depends and "dependencies." not in condition.lower():
            problems.append(
                f"{at}: {kind} '{name}' runs even when its dependencies failed ({condition}) but tests none "
                f"of them: say which result or output it runs on (dependencies.<name>.result / outputs)"
            )
    return problems


def output_problems(root: Path, where: str, source: str, step_of, depends: list[str], text: str) -> list[str]:
    """References to output variables: a declared dependency, an existing job and step that sets the variable."""
    problems = []
    references = [(stage, None, path) for stage, path in STAGE_OUTPUT.findall(text)]
    references += [(stage, job, path) for stage, job, path in CROSS_STAGE_OUTPUT.findall(text)]
    for owner, job_name, variable_path in references:
        if owner not in depends:
            problems.append(f"{where}: {source} reads outputs of '{owner}' without depending on it (dependsOn)")
            continue
        problems += step_of(owner, job_name, variable_path.split("."), root)
    for owner in STAGE_RESULT.findall(text):
        if owner not in depends:
            problems.append(f"{where}: {source} reads dependencies.{owner}.result without depending on it")
    return problems


def check_pipeline(root: Path, relative: str) -> list[str]:
    path = root / relative
    document = load(path)
    if not isinstance(document, dict):
        return []
    stages = stages_of(path, document)
    by_name = {stage.name: stage for stage in stages}
    problems = graph_problems(
        lambda name: f"{relative}:{by_name[name].line}", "stage", {s.name: (s.depends, s.condition) for s in stages}
    )

    def find_step(stage_name: str, job_name: str | None, parts: list[str], root: Path) -> list[str]:
        stage = by_name.get(stage_name)
        if stage is None:
            return []  # reported as a missing dependency
        if job_name is None:  # dependencies.<stage>.outputs['<job>.<step>.<var>']
            if len(parts) < 3:
                return [f"{relative}:{stage.line}: output reference {'.'.join(parts)} needs <job>.<step>.<variable>"]
            job_name, parts = parts[0], parts[1:]
        job = stage.jobs.get(job_name)
        if job is None:
            return [f"{relative}:{stage.line}: stage '{stage_name}' has no job '{job_name}' (output {'.'.join(parts)})"]
        if job.deployment and len(parts) == 3 and parts[0] == job_name:
            parts = parts[1:]  # runOnce deployment jobs prefix their outputs with the job name
        if len(parts) != 2:
            reference = ".".join(parts)
            return [
                f"{relative}:{stage.line}: output reference {reference} of job '{job_name}' needs <step>.<variable>"
            ]
        step_name, variable = parts
        steps = [step for step in job.steps if step.get("name") == step_name]
        if not steps:
            return [f"{relative}:{stage.line}: job '{job_name}' of stage '{stage_name}' has no step '{step_name}'"]
        texts = script_texts(root, step_text(steps[0]))
        if step_text(steps[0]) and not sets_output(root, texts, variable, "azure"):
            return [
                f"{relative}:{stage.line}: step '{step_name}' of job '{job_name}' (stage '{stage_name}') never sets "
                f"output variable '{variable}' (isoutput=true, e.g. through ci/common.sh ci_output)"
            ]
        return []

    for stage in stages:
        where = f"{relative}:{stage.line}"
        text = stage.condition + "\n" + strings(stage.variables)
        problems += output_problems(root, where, f"stage '{stage.name}'", find_step, stage.depends, text)
        jobs = {job.name: (job.depends, job.condition) for job in stage.jobs.values()}
        problems += graph_problems(lambda _, at=f"{where} (stage '{stage.name}')": at, "job", jobs)
        for job in stage.jobs.values():
            job_text = job.condition + "\n" + strings(job.variables)
            for owner, path in STAGE_OUTPUT.findall(job_text):  # dependencies.<job>.outputs['<step>.<var>']
                if owner not in job.depends:
                    problems.append(f"{where}: job '{job.name}' reads outputs of job '{owner}' without depending on it")
                else:
                    problems += find_step(stage.name, owner, path.split("."), root)
            for owner, job_name, path in CROSS_STAGE_OUTPUT.findall(job_text):
                if owner not in stage.depends:
                    problems.append(f"{where}: job '{job.name}' reads outputs of stage '{owner}', not a dependency")
                else:
                    problems += find_step(owner, job_name, path.split("."), root)
    return problems


def check(root: Path, files: list[str]) -> list[str]:
    """Pipelines are the files no other file includes as a template."""
    documents = {relative: load(root / relative) for relative in files}
    included = set()
    for relative in files:
        text = (root / relative).read_text(encoding="utf-8")
        for reference in re.findall(r"^\s*-?\s*template:\s*(\S+)", text, re.MULTILINE):
            included.add(((root / relative).parent / reference).resolve())
    problems = []
    for relative in files:
        if (root / relative).resolve() not in included and isinstance(documents[relative], dict):
            problems += check_pipeline(root, relative)
    return problems
