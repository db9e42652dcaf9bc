"""MLflow inside Azure ML: the code the components run calls no MLflow API whose routes Azure ML does not serve.

Azure ML's MLflow endpoint answers 404 to MLflow 3's logged-models routes (/api/2.0/mlflow/logged-models...),
which every ``mlflow.<flavor>.log_model`` calls, and so does autologging unless told ``log_models=False``
(Azure/azure-sdk-for-python#44896; Azure/azureml-examples#3885 switches to ``save_model`` + ``log_artifacts``
and ``autolog(log_models=False)``). The served routes and their sources are the generated project's
tests/data/azureml_mlflow_routes.json (tests/tools/extract_azureml_mlflow_routes.py); its
tests/test_common_azureml_tracking.py runs the components against a stand-in that serves only those. This
check is the fast static half: it starts from each component's ``python -m <module>`` command, follows the
project's own imports, and reads every module reached for those calls.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from contracts import Contract

COMPONENTS = "mlops/azureml/components/*.yml"
# MLflow functions that create, read or change logged models (MLflow 3), all through /api/2.0/mlflow/logged-models.
LOGGED_MODEL_CALLS = {
    "log_model",
    "initialize_logged_model",
    "create_external_model",
    "finalize_logged_model",
    "get_logged_model",
    "search_logged_models",
    "set_logged_model_tags",
    "delete_logged_model_tag",
    "log_model_params",
    "set_active_model",
}
WHY = "calls /api/2.0/mlflow/logged-models, which Azure ML answers 404 (Azure/azure-sdk-for-python#44896)"


def _modules_run(root: Path, files: list[str]) -> list[tuple[str, str]]:
    """(component file, module) for each component's ``python -m`` command."""
    found = []
    for relative in files:
        component = yaml.safe_load((root / relative).read_text(encoding="utf-8")) or {}
        for module in re.findall(r"python\s+-m\s+([\w.]+)", str(component.get("command", ""))):
            found.append((relative, module))
    return found


def _module_file(root: Path, module: str) -> Path | None:
    base = root / "src" / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(module: str, tree: ast.AST, is_package: bool) -> set[str]:
    """The modules ``module`` imports, relative imports resolved (``from . import x`` may name a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _reached(root: Path, start: str) -> dict[str, Path]:
    """Every module of the project (under src/) that ``start`` imports, directly or not, with its file."""
    top = start.split(".")[0]
    seen: dict[str, Path] = {}
    queue = [start]
    while queue:
        module = queue.pop()
        if module in seen or module.split(".")[0] != top:
            continue
        path = _module_file(root, module)
        if path is None:
            continue
        seen[module] = path
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        # A submodule imports its packages' __init__ too.
        parents = [module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)]
        queue.extend(_imports(module, tree, path.name == "__init__.py") | set(parents))
    return seen


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _mlflow_calls(tree: ast.AST):
    """(line, function name, the call) for every call of an MLflow function: ``mlflow.x.name(...)``, or a
    ``name(...)`` imported from mlflow. A function of the project that happens to share the name is not one."""
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mlflow" and not node.level:
            imported.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
        elif isinstance(node, ast.Import):
            imported.update({a.asname: a.name for a in node.names if a.asname and a.name.split(".")[0] == "mlflow"})
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = _dotted(node.func)
            head, _, rest = dotted.partition(".")
            full = f"{imported[head]}.{rest}".rstrip(".") if head in imported else dotted
            if full.split(".")[0] == "mlflow":
                yield node.lineno, full.rsplit(".", 1)[-1], node


def _problems_in(root: Path, path: Path) -> list[str]:
    relative = path.relative_to(root).as_posix()
    problems = []
    for line, name, call in _mlflow_calls(ast.parse(path.read_text(encoding="utf-8"))):
        if name in LOGGED_MODEL_CALLS:
            problems.append(f"{relative}:{line}: {name}() {WHY}; save_model + mlflow.log_artifacts instead")
        elif name == "autolog":
            keywords = {k.arg: k.value for k in call.keywords}
            off = keywords.get("log_models")
            if not (isinstance(off, ast.Constant) and off.value is False):
                problems.append(f"{relative}:{line}: autolog() without log_models=False logs models: {WHY}")
    return problems


def check_component_code(root: Path, files: list[str]) -> list[str]:
    problems: list[str] = []
    scanned: set[Path] = set()
    for component, module in _modules_run(root, files):
        reached = _reached(root, module)
        if module not in reached:
            problems.append(f"{component}:1: runs python -m {module}, which is not a module under src/")
        for path in reached.values():
            if path not in scanned:
                scanned.add(path)
                problems.extend(_problems_in(root, path))
    return sorted(set(problems))


_COMPONENT = "type: command\ncommand: >-\n  python -m demo.train --output ${{outputs.trained}}\n"
_TRAIN = "import mlflow.sklearn\n\nfrom .common import saving\n\n\ndef main():\n    saving.store(None)\n"
_OLD_SAVING = 'import mlflow.sklearn\n\n\ndef store(model):\n    mlflow.sklearn.log_model(model, name="model")\n'
_NEW_SAVING = (
    "import mlflow\nimport mlflow.sklearn\n\n\ndef store(model):\n"
    '    mlflow.sklearn.save_model(model, "out/model")\n    mlflow.log_artifacts("out/model", artifact_path="model")\n'
    "    mlflow.sklearn.autolog(log_models=False)\n"
)

CONTRACTS = (
    Contract(
        name="mlflow-routes-azureml-serves",
        patterns=(COMPONENTS,),
        check=check_component_code,
        context=("src/*.py",),
        source="Azure/azure-sdk-for-python#44896, Azure/azureml-examples#3885; routes: generated "
        "tests/data/azureml_mlflow_routes.json (azureml-mlflow 1.62.0.post6, Microsoft Learn support matrices)",
        broken={
            "mlops/azureml/components/train.yml": _COMPONENT,
            "src/demo/__init__.py": "",
            "src/demo/train.py": _TRAIN,
            "src/demo/common/__init__.py": "",
            "src/demo/common/saving.py": _OLD_SAVING,
        },
        valid={
            "mlops/azureml/components/train.yml": _COMPONENT,
            "src/demo/__init__.py": "",
            "src/demo/train.py": _TRAIN,
            "src/demo/common/__init__.py": "",
            "src/demo/common/saving.py": _NEW_SAVING,
        },
    ),
)
