"""GitHub Actions job graphs and reusable-workflow calls (rules and sources: contracts/workflow_graph.py)."""

from __future__ import annotations

import re
from pathlib import Path

from ._graph_common import ancestors, key_line, line_of, load, script_texts, sets_output

# Status-check functions: when an `if:` holds none, GitHub adds success() (docs.github.com, "Evaluate
# expressions in workflows and actions", Status check functions).
# Conditions under which a job runs although one of its needs failed or was skipped. Without one of
# them, success() (written or added by GitHub) decides.
AFTER_FAILURE = re.compile(r"\b(failure|always|cancelled)\(\s*\)")
NEEDS_REF = re.compile(r"\bneeds\.([\w-]+)(?:\.(result|outputs)(?:\.([\w-]+))?)?")
JOB_OUTPUT_REF = re.compile(r"\bjobs\.([\w-]+)\.outputs\.([\w-]+)")
STEP_OUTPUT_REF = re.compile(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)")
LOCAL_USES = ("./", "$/")
LEVELS = {"none": 0, "read": 1, "write": 2}
DOCS_NEEDS = (
    "docs.github.com, Workflow syntax, jobs.<job_id>.needs: "
    '"a failure or skip applies to all jobs in the dependency chain"'
)
DOCS_PERMISSIONS = "docs.github.com, Reusable workflows reference: a called workflow can only downgrade permissions"


def triggers(workflow: dict) -> dict:
    found = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    if isinstance(found, str):
        return {found: {}}
    if isinstance(found, list):
        return {name: {} for name in found}
    return found or {}


def needs_of(job: dict) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def condition(job: dict) -> str:
    value = job.get("if")
    return "" if value is None else str(value)


def expressions(node) -> str:
    """Every string in a job (conditions, inputs, env, run scripts), joined, to find references."""
    if isinstance(node, dict):
        return "\n".join(expressions(key) + "\n" + expressions(value) for key, value in node.items())
    if isinstance(node, list):
        return "\n".join(expressions(value) for value in node)
    return node if isinstance(node, str) else ""


def callee_path(root: Path, uses: str) -> Path | None:
    return root / uses[2:] if uses.startswith(LOCAL_USES) else None


def permission_map(value) -> dict[str, str] | None:
    """{scope: level}, '*' for read-all/write-all; None when nothing is set (inherited)."""
    if value is None:
        return None
    if value in ("read-all", "write-all"):
        return {"*": value.split("-")[0]}
    return {str(scope): str(level) for scope, level in (value or {}).items()}


def granted(perms: dict[str, str], scope: str) -> int:
    return LEVELS.get(perms.get(scope, perms.get("*", "none")), 0)


def check_file(root: Path, relative: str) -> list[str]:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    workflow = load(path)
    if not isinstance(workflow, dict) or not isinstance(workflow.get("jobs"), dict):
        return []
    jobs: dict[str, dict] = workflow["jobs"]
    parents = {name: needs_of(job) for name, job in jobs.items()}
    problems: list[str] = []

    def where(job_id: str, key: str | None = None) -> str:
        line = line_of(text, rf"^  {re.escape(job_id)}:\s*$")
        return f"{relative}:{key_line(text, key, line) if key else line}"

    callees = {name: _callee(root, job) for name, job in jobs.items() if "uses" in job}
    for job_id, job in jobs.items():
        problems += [
            f"{where(job_id, 'needs')}: job '{job_id}' needs '{need}', which does not exist"
            for need in parents[job_id]
            if need not in jobs
        ]
        problems += _condition_problems(jobs, parents, job_id, where)
        problems += _reference_problems(root, jobs, callees, job_id, where)
        if "uses" in job:
            problems += _call_problems(root, workflow, job_id, job, callees[job_id], where)
        if job.get("outputs"):
            problems += _job_output_problems(root, job_id, job, where)
    if "workflow_call" in triggers(workflow):
        problems += _workflow_output_problems(relative, text, jobs, triggers(workflow)["workflow_call"] or {})
    return problems


def _callee(root: Path, job: dict) -> dict | None:
    path = callee_path(root, str(job["uses"]))
    if path is None or not path.is_file():
        return None
    callee = load(path)
    return callee if isinstance(callee, dict) else None


def _condition_problems(jobs, parents, job_id, where) -> list[str]:
    cond = condition(jobs[job_id])
    problems = []
    if not AFTER_FAILURE.search(cond):
        # success(), written or implicit: skipped when any ancestor failed or was skipped, even one whose failure
        # a job in between tolerates on purpose (issue 12, defect 4).
        for ancestor, path in sorted(ancestors(job_id, parents).items()):
            tolerant = condition(jobs.get(ancestor, {}))
            if AFTER_FAILURE.search(tolerant):
                direct = path[0]
                problems.append(
                    f"{where(job_id)}: job '{job_id}' needs '{' -> '.join(path)}', and '{ancestor}' runs after "
                    f"its own needs failed ({tolerant}); without a status-check function in its `if:`, "
                    f"'{job_id}' is skipped whenever that happens ({DOCS_NEEDS}). State its condition, e.g. "
                    f"`if: ${{{{ !cancelled() && needs.{direct}.result == 'success' }}}}`"
                )
                break
    elif AFTER_FAILURE.search(cond) and parents[job_id] and "needs." not in cond:
        problems.append(
            f"{where(job_id, 'if')}: job '{job_id}' runs even when its needs failed ({cond}) but tests none of "
            f"them: say which result or output it runs on (needs.<job>.result / needs.<job>.outputs)"
        )
    return problems


def _reference_problems(root, jobs, callees, job_id, where) -> list[str]:
    job = jobs[job_id]
    direct = set(needs_of(job))
    problems = []
    for name, kind, output in sorted(set(NEEDS_REF.findall(expressions({k: v for k, v in job.items()})))):
        if name not in direct:
            # The needs context holds direct dependencies only (docs.github.com, Contexts reference, needs).
            problems.append(f"{where(job_id)}: job '{job_id}' reads needs.{name} but does not need '{name}'")
            continue
        if kind != "outputs" or not output:
            continue
        target = jobs.get(name, {})
        if "uses" in target:
            callee = callees.get(name)
            if callee is None:
                continue
            declared = (triggers(callee).get("workflow_call") or {}).get("outputs") or {}
            what = f"{target['uses']} declares no output '{output}' (on.workflow_call.outputs)"
        else:
            declared = target.get("outputs") or {}
            what = f"job '{name}' declares no output '{output}'"
        if output not in declared:
            problems.append(f"{where(job_id)}: job '{job_id}' reads needs.{name}.outputs.{output}, but {what}")
    return problems


def _call_problems(root, workflow, job_id, job, callee, where) -> list[str]:
    uses = str(job["uses"])
    path = callee_path(root, uses)
    if path is None:
        return []  # another repository's workflow: not readable offline
    if callee is None:
        return [f"{where(job_id, 'uses')}: job '{job_id}' calls {uses}, which does not exist"]
    call = triggers(callee).get("workflow_call")
    if call is None and "workflow_call" not in triggers(callee):
        return [f"{where(job_id, 'uses')}: {uses} is not a reusable workflow (no on.workflow_call)"]
    call = call or {}
    problems = []
    inputs = call.get("inputs") or {}
    given = job.get("with") or {}
    for name, value in given.items():
        if name not in inputs:
            problems.append(f"{where(job_id, 'with')}: job '{job_id}' passes input '{name}' that {uses} lacks")
            continue
        expected = (inputs[name] or {}).get("type", "string")
        if not _type_fits(value, expected):
            problems.append(
                f"{where(job_id, 'with')}: job '{job_id}' passes {name}={value!r} to {uses}, "
                f"which declares type {expected}"
            )
    for name, spec in inputs.items():
        spec = spec or {}
        if spec.get("required") and "default" not in spec and name not in given:
            problems.append(
                f"{where(job_id, 'uses')}: job '{job_id}' does not pass the required input '{name}' of {uses}"
            )
    secrets = job.get("secrets")
    declared_secrets = call.get("secrets") or {}
    if secrets != "inherit":
        secrets = secrets or {}
        for name in secrets:
            if name not in declared_secrets:
                problems.append(
                    f"{where(job_id, 'secrets')}: job '{job_id}' passes secret '{name}' that {uses} does not declare"
                )
        for name, spec in declared_secrets.items():
            if (spec or {}).get("required") and name not in secrets:
                problems.append(
                    f"{where(job_id, 'uses')}: job '{job_id}' does not pass the required secret '{name}' of {uses}"
                )
    problems += _permission_problems(workflow, job_id, job, callee, uses, where)
    return problems


def _type_fits(value, expected: str) -> bool:
    if isinstance(value, str) and "${{" in value:
        return True  # an expression: its type is known only at run time
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return not isinstance(value, (bool, dict, list))


def _permission_problems(workflow, job_id, job, callee, uses, where) -> list[str]:
    caller = permission_map(job.get("permissions", workflow.get("permissions")))
    if caller is None:
        return []  # the repository's default token permissions: unknown here
    problems = []
    callee_default = callee.get("permissions")
    for callee_job_id, callee_job in (callee.get("jobs") or {}).items():
        wanted = permission_map(callee_job.get("permissions", callee_default)) or {}
        for scope, level in sorted(wanted.items()):
            scopes = [scope] if scope != "*" else sorted(set(caller) - {"*"}) or ["contents"]
            for name in scopes:
                if LEVELS.get(level, 0) > granted(caller, name):
                    problems.append(
                        f"{where(job_id, 'permissions')}: job '{job_id}' calls {uses}, whose job '{callee_job_id}' "
                        f"requests {name}: {level}, more than the caller grants ({DOCS_PERMISSIONS})"
                    )
    return problems


def _job_output_problems(root, job_id, job, where) -> list[str]:
    steps = {str(step["id"]): step for step in job.get("steps") or [] if isinstance(step, dict) and "id" in step}
    problems = []
    for name, value in (job.get("outputs") or {}).items():
        for step_id, output in STEP_OUTPUT_REF.findall(str(value)):
            step = steps.get(step_id)
            if step is None:
                problems.append(
                    f"{where(job_id, 'outputs')}: output '{name}' of job '{job_id}' reads step '{step_id}', "
                    "which has no such id"
                )
            elif "run" in step and not sets_output(root, script_texts(root, str(step["run"])), output, "github"):
                problems.append(
                    f"{where(job_id, 'outputs')}: output '{name}' of job '{job_id}' reads "
                    f"steps.{step_id}.outputs.{output}, but neither the step's script nor the ci/ scripts it runs "
                    f"set '{output}'"
                )
    return problems


def _workflow_output_problems(relative, text, jobs, call: dict) -> list[str]:
    problems = []
    for name, spec in (call.get("outputs") or {}).items():
        for job_id, output in JOB_OUTPUT_REF.findall(str((spec or {}).get("value", ""))):
            if output not in ((jobs.get(job_id) or {}).get("outputs") or {}):
                line = line_of(text, rf"^\s+{re.escape(name)}:\s*$")
                problems.append(
                    f"{relative}:{line}: workflow output '{name}' reads jobs.{job_id}.outputs.{output}, "
                    f"which job '{job_id}' does not declare"
                )
    return problems


def check(root: Path, files: list[str]) -> list[str]:
    problems = []
    for relative in files:
        if relative.startswith(".github/workflows/"):
            problems += check_file(root, relative)
    return problems
