"""Extract the command tables the CLI-call contract reads (tests/data/cli_commands.json): every command's options
(long and short aliases) and which options are required, for the command groups the template uses or may soon use.

Run by hand, never in CI, after upgrading the Azure CLI or the `ml` extension pin, or when the template starts using a
new command group (add its prefix to CORE_PREFIXES):

    python3 -m venv /work/venvs/cli/venv && /work/venvs/cli/venv/bin/pip install azure-cli   # ~730 MB, ~40 s
    git -C <clone of Azure/azure-devops-cli-extension> archive HEAD azure-devops | tar -x -C /work/venvs/cli/src/devops
    /work/venvs/cli/venv/bin/python tests/tools/extract_cli_commands.py --ml-src /work/venvs/cli/src/azext_mlv2 \
        --gh-src tests/tools/gh_flags.json --devops-src /work/venvs/cli/src/devops/azure-devops \
        --devops-commit <its commit> tests/data/cli_commands.json

Sources:
- core `az` commands: the `azure-cli` package itself, loaded in-process (its own command loader builds every command's
  arguments, as `az <command> --help` does; no login, AZURE_CONFIG_DIR points at a temporary folder);
- `az ml`: the extension is not on PyPI, and Azure/azure-cli-extensions is too large to copy whole. Its command
  table (manual/commands.py), argument contexts (manual/_params/*.py) and some command functions' signatures
  (manual/custom/*.py) were read file by file with the search tools and saved as excerpts outside this repository
  (--ml-src; help texts and function bodies dropped; SOURCES.json there names each file's commit). They are parsed
  here with `ast`, applying the rules azure-cli applies when it loads them (see _ml_commands). The published version
  (what CI pins with `az extension add --name ml --version X`) is the newest entry of CHANGELOG.rst;
- `az devops`/`pipelines`/`repos`: the azure-devops extension's source (Azure/azure-devops-cli-extension, folder
  azure-devops/, not on PyPI), loaded in-process like an installed extension;
- `gh`: flags transcribed from cli/cli `pkg/cmd/...` (tests/tools/gh_flags.json names each file).

Output: {"sources": {...}, "global_options": {"az": [...], "gh": [...]}, "global_flags": {...}, "covered": [prefix...],
"commands": {"az ml job create": {"options": [...], "required": [[aliases...], ...], "flags": [...]}}}.
"flags" lists options that take no value (so the check does not swallow the next word as their value);
"required_unknown" marks an ml command whose function signature was not read (its options are known, not which are
required); "options_unknown" one whose argument contexts were not read either (only its name is checked).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import tempfile
from pathlib import Path

# Command groups the template uses or may soon use (issue 13). Kept short so the JSON stays small.
CORE_PREFIXES = (
    "account",
    "acr",
    "ad app",
    "ad sp",
    "ad signed-in-user",
    "bicep",
    "configure",
    "deployment sub",
    "deployment group",
    "extension",
    "group",
    "identity",
    "keyvault show",
    "keyvault purge",
    "keyvault list-deleted",
    "login",
    "logout",
    "monitor log-analytics workspace",
    "monitor app-insights",
    "monitor diagnostic-settings",
    "network vnet",
    "network private-endpoint",
    "network private-dns",
    "network nsg",
    "provider",
    "resource",
    "rest",
    "role assignment",
    "role definition",
    "storage account",
    "storage container",
    "storage blob",
    "version",
)

# Command groups of the azure-devops extension the template's Azure DevOps variant uses.
DEVOPS_PREFIXES = ("devops", "pipelines", "repos")

# Options every az command accepts: knack's parser adds them (knack/parsers.py, azure/cli/core/parser.py), and
# azure-cli registers --subscription on every command that talks to ARM (azure/cli/core/commands/arm.py).
AZ_GLOBAL = [
    "--debug",
    "--help",
    "-h",
    "--only-show-errors",
    "--output",
    "-o",
    "--query",
    "--verbose",
    "--subscription",
]
AZ_GLOBAL_FLAGS = ["--debug", "--help", "-h", "--only-show-errors", "--verbose"]


def _options(settings: dict, name: str) -> list[str]:
    found = settings.get("options_list") or [f"--{name.replace('_', '-')}"]
    if isinstance(found, str):
        found = [found]
    # Deprecated aliases are objects with a .target; they are still accepted (with a warning).
    return [str(getattr(option, "target", option)) for option in found]


def _cli():
    """azure-cli's own invocation (no login; config in a temporary folder)."""
    os.environ.setdefault("AZURE_CONFIG_DIR", tempfile.mkdtemp(prefix="azcfg-"))
    os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "false")
    from azure.cli.core import get_default_cli

    cli = get_default_cli()
    invocation = cli.invocation_cls(
        cli_ctx=cli,
        parser_cls=cli.parser_cls,
        commands_loader_cls=cli.commands_loader_cls,
        help_cls=cli.help_cls,
    )
    cli.invocation = invocation
    return cli, invocation.commands_loader


def _describe(command) -> dict:
    options, required, flags = [], [], []
    for arg_name, argument in command.arguments.items():
        settings = argument.type.settings
        if settings.get("help") == argparse.SUPPRESS or arg_name == "cmd":
            continue
        # A positional argument (knack's ArgumentsContext.positional sets options_list=[]) has no option name: the
        # call passes it as a bare word (`az acr build ... SOURCE`), so it is neither an option nor a required one.
        if settings.get("options_list") == []:
            continue
        aliases = _options(settings, arg_name)
        options.extend(aliases)
        # configured_default: `az configure --defaults group=...` can supply it, so argparse does not demand it.
        if settings.get("required") and not settings.get("configured_default"):
            required.append(sorted(aliases))
        if settings.get("action") in ("store_true", "store_false") or settings.get("nargs") == 0:
            flags.extend(aliases)
    return {"options": sorted(set(options)), "required": required, "flags": sorted(set(flags))}


def _selected(table: dict, prefixes: tuple[str, ...]) -> dict[str, dict]:
    return {
        f"az {name}": _describe(command)
        for name, command in sorted(table.items())
        if any(name == p or name.startswith(p + " ") for p in prefixes)
    }


def core_commands(main_loader, prefixes: tuple[str, ...]) -> tuple[str, dict[str, dict]]:
    """Load azure-cli's command table and every command's arguments in-process."""
    from azure.cli.core import __version__ as core_version

    main_loader.load_command_table(None)
    # command=None loads every module's argument registry and applies it (the path azure-cli's docs generation uses).
    main_loader.load_arguments(None)
    return core_version, _selected(main_loader.command_table, prefixes)


def devops_commands(cli, main_loader, src: Path) -> tuple[dict, dict[str, dict]]:
    """The azure-devops extension (Azure/azure-devops-cli-extension, folder azure-devops/), loaded in-process with the
    same steps azure-cli's MainCommandsLoader.load_arguments(None) applies to an extension's loader."""
    sys.path.insert(0, str(src))
    from azext_devops import DevCommandsLoader
    from azext_devops.version import VERSION

    loader = DevCommandsLoader(cli_ctx=cli)
    table = loader.load_command_table(None)
    for command in table.values():
        command.load_arguments()
    loader.skip_applicability = True
    loader.load_arguments("")
    main_loader.argument_registry.arguments.update(loader.argument_registry.arguments)
    main_loader.extra_argument_registry.update(loader.extra_argument_registry)
    loader._update_command_definitions()  # the step azure-cli itself takes
    return {"version": VERSION}, _selected(table, DEVOPS_PREFIXES)


# --- az ml, from the extension's source -------------------------------------------------------------------------

ML_GENERIC_UPDATE = ["--set", "--add", "--remove", "--force-string"]  # azure-cli adds these to generic_update_command
RESOURCE_GROUP = {"options": ["--resource-group", "-g"], "configured_default": True}  # resource_group_name_type


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return ""


def _argument_call(call: ast.Call) -> tuple[str, dict]:
    """One `c.argument(name, [arg_type], options_list=[...], configured_default=...)`."""
    name = _literal(call.args[0])
    spec: dict = {}
    if len(call.args) > 1 and getattr(call.args[1], "id", "") == "resource_group_name_type":
        spec.update(RESOURCE_GROUP)
    for keyword in call.keywords:
        if keyword.arg == "options_list":
            spec["options"] = [
                _literal(item) if not isinstance(item, ast.Call) else _literal(item.keywords[0].value)
                for item in keyword.value.elts
            ]  # c.deprecate(target="-w", ...) is still accepted
        elif keyword.arg == "configured_default":
            spec["configured_default"] = True
        elif keyword.arg == "arg_type" and _call_name(keyword.value) == "get_three_state_flag":
            spec["three_state"] = True
    return name, spec


def _helpers(trees: list[ast.Module]) -> dict[str, ast.FunctionDef]:
    return {n.name: n for tree in trees for n in tree.body if isinstance(n, ast.FunctionDef)}


def _apply(body: list[ast.stmt], helpers: dict, into: dict) -> None:
    """Collect c.argument calls in a context body, inlining helper calls (both branches of any `if`)."""
    for statement in body:
        if isinstance(statement, ast.If):
            _apply(statement.body + statement.orelse, helpers, into)
            continue
        if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
            continue
        call = statement.value
        name = _call_name(call)
        if name == "argument":
            arg, spec = _argument_call(call)
            into[arg] = {**into.get(arg, {}), **spec}
        elif name in helpers:
            _apply(helpers[name].body, helpers, into)


def _ml_contexts(src: Path) -> dict[str, dict]:
    paths = sorted((src / "manual" / "_params").glob("*.py"))
    trees = [ast.parse(p.read_text()) for p in paths]
    helpers_common = _helpers([ast.parse((src / "manual" / "_params" / "_common_params.py").read_text())])
    contexts: dict[str, dict] = {}
    for tree in trees:
        helpers = {**helpers_common, **_helpers([tree])}
        for node in ast.walk(tree):
            if isinstance(node, ast.With) and _call_name(node.items[0].context_expr) == "argument_context":
                scope = _literal(node.items[0].context_expr.args[0])
                _apply(node.body, helpers, contexts.setdefault(scope, {}))
    return contexts


def _signatures(src: Path) -> dict[str, list[tuple[str, bool]]]:
    """Command function name -> [(parameter, has_default)], without cmd/client/**kwargs."""
    found = {}
    for path in sorted((src / "manual" / "custom").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                args = node.args.args
                defaults = len(node.args.defaults)
                found[node.name] = [
                    (a.arg, i >= len(args) - defaults) for i, a in enumerate(args) if a.arg not in ("cmd", "client")
                ]
    return found


def _ml_commands(src: Path) -> dict[str, dict]:
    """Rebuild each ml command's arguments the way azure-cli does: a custom command's arguments are its function's
    parameters (required when they have no default and no configured default); a generic update command's are the
    getter's and setter's parameters plus --set/--add/--remove/--force-string; supports_no_wait adds --no-wait and
    confirmation adds --yes; argument contexts give the option strings (default: --parameter-name)."""
    contexts = _ml_contexts(src)
    signatures = _signatures(src)
    commands = {}
    tree = ast.parse((src / "manual" / "commands.py").read_text())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.With) and _call_name(node.items[0].context_expr) == "command_group"):
            continue
        group = _literal(node.items[0].context_expr.args[0])
        for statement in node.body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            kind = _call_name(call)
            if kind not in ("custom_command", "custom_show_command", "generic_update_command"):
                continue
            verb = _literal(call.args[0])
            keywords = {k.arg: k.value for k in call.keywords}
            name = f"{group} {verb}"
            context = contexts.get(name, {})
            if kind == "generic_update_command":
                functions = [_literal(keywords["getter_name"]), _literal(keywords["setter_name"])]
            else:
                functions = [_literal(call.args[1])]
            known = all(f in signatures for f in functions)
            params: dict[str, bool] = {}
            if known:
                for position, function in enumerate(functions):
                    for param, has_default in signatures[function]:
                        if param == "parameters":  # the generic update's instance, not an option
                            continue
                        # The setter's own parameters never make an option required; the getter's do.
                        required = not has_default and position == 0
                        params[param] = params.get(param, False) or required
            else:
                params = {param: False for param in context}
            options, required, flags = [], [], []
            for param, is_required in params.items():
                spec = context.get(param, {})
                if param == "resource_group_name" and "options" not in spec:
                    spec = {**RESOURCE_GROUP, **spec}
                aliases = spec.get("options") or [f"--{param.replace('_', '-')}"]
                options.extend(aliases)
                if is_required and not spec.get("configured_default"):
                    required.append(sorted(aliases))
            if kind == "generic_update_command":
                options.extend(ML_GENERIC_UPDATE)
            if _literal(keywords.get("supports_no_wait", ast.Constant(False))):
                options.append("--no-wait")
                flags.append("--no-wait")
            if _literal(keywords.get("confirmation", ast.Constant(False))):
                options.extend(["--yes", "-y"])
                flags.extend(["--yes", "-y"])
            entry = {"options": sorted(set(options)), "required": required, "flags": sorted(set(flags))}
            if not known:
                # Only the argument contexts were read for this command: its options, not which are required.
                entry["required_unknown"] = True
            if not known and not context:
                # Neither was read (a group outside the excerpts): only the command's name is checked.
                entry["options_unknown"] = True
            commands[f"az {name}"] = entry
    return commands


def ml_commands(src: Path) -> tuple[dict, dict[str, dict]]:
    sources = json.loads((src / "SOURCES.json").read_text())
    # The published `ml` extension's version (what `az extension add --name ml --version X` takes) is the newest
    # entry of src/machinelearningservices/CHANGELOG.rst; manual/version.py holds another, internal number.
    release = re.search(r"v\s*(\d+\.\d+\.\d+)", (src / "CHANGELOG.rst").read_text()).group(1)
    internal = _literal(ast.parse((src / "manual" / "version.py").read_text()).body[0].value)
    return {"version": release, "manual_version_py": internal, **sources}, _ml_commands(src)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ml-src", type=Path, required=True, help="local folder with the azext_mlv2 excerpts")
    parser.add_argument("--gh-src", type=Path, required=True, help="gh flags transcribed from cli/cli")
    parser.add_argument("--devops-src", type=Path, required=True, help="azure-devops/ of azure-devops-cli-extension")
    parser.add_argument("--devops-commit", required=True, help="the commit that folder was exported from")
    parser.add_argument("output", type=Path)
    args = parser.parse_args()

    cli, main_loader = _cli()
    core_version, commands = core_commands(main_loader, CORE_PREFIXES)
    devops_source, devops = devops_commands(cli, main_loader, args.devops_src)
    ml_source, ml = ml_commands(args.ml_src)
    commands.update(devops)
    gh = json.loads(args.gh_src.read_text())
    commands.update(ml)
    commands.update(gh["commands"])
    data = {
        "sources": {
            "az": {"package": "azure-cli", "version": core_version, "prefixes": list(CORE_PREFIXES)},
            "az ml": ml_source,
            "az devops": {
                "repository": "Azure/azure-devops-cli-extension",
                "commit": args.devops_commit,
                "prefixes": list(DEVOPS_PREFIXES),
                **devops_source,
            },
            "gh": gh["source"],
            "script": "tests/tools/extract_cli_commands.py",
        },
        "global_options": {"az": AZ_GLOBAL, "gh": gh["global_options"]},
        "global_flags": {"az": AZ_GLOBAL_FLAGS, "gh": gh["global_flags"]},
        # A call is checked when its command starts with one of these; others are outside the extract.
        "covered": sorted([f"az {p}" for p in (*CORE_PREFIXES, *DEVOPS_PREFIXES, "ml")] + gh["covered"]),
        "commands": dict(sorted(commands.items())),
    }
    args.output.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{len(commands)} commands -> {args.output} ({args.output.stat().st_size // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
