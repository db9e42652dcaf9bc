"""Stand-ins for `az` and `gh` that record every call and keep just enough state for the bootstrap's
look-before-create logic: what a `create` made, a later `show`/`list` finds.

Each stand-in appends {"argv": [...]} to a JSON-lines log and keeps its state in one JSON file. The shapes
it answers with are the fields the bootstrap reads, as the real tools return them: `az identity show`
(clientId, principalId), `az devops service-endpoint show` (authorization.parameters.
workloadIdentityFederationIssuer/Subject; Microsoft Learn "Manually configure Azure Resource Manager workload
identity service connections"), GitHub REST `GET /repos/{owner}/{repo}` (id, owner.id, owner.login, name),
`GET .../environments/{name}/deployment-branch-policies` (branch_policies[].name).

`recorded_calls(project, answers)` runs the baked bootstrap for dev, then prod, against the stand-ins and
returns every argv, for checks that validate the calls against the real CLIs' definitions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"
TENANT = "00000000-0000-0000-0000-00000000000b"
OWNER, OWNER_ID, REPO, REPO_ID = "acme", 123456, "demo", 456789
ORGANIZATION, PROJECT = "https://dev.azure.com/acme", "demo"
# Which flags identify a thing, per az command group (a show and its create name it the same way).
IDENTIFYING = {
    ("group",): ("--name",),
    ("provider",): ("--namespace",),
    ("identity",): ("--name", "--resource-group"),
    ("identity", "federated-credential"): ("--name", "--identity-name", "--resource-group"),
    ("storage", "account"): ("--name", "--resource-group"),
    ("storage", "container-rm"): ("--name", "--storage-account", "--resource-group"),
    ("pipelines",): ("--name",),
    ("role", "assignment"): ("--assignee", "--role", "--scope"),
    ("network", "vnet"): ("--name", "--resource-group"),
    ("network", "vnet", "subnet"): ("--name", "--vnet-name", "--resource-group"),
    ("network", "private-dns", "zone"): ("--name", "--resource-group"),
    ("network", "private-dns", "link", "vnet"): ("--name", "--zone-name", "--resource-group"),
}
CHANGING_VERBS = {"create", "update", "delete", "set", "register", "PUT", "POST", "PATCH", "DELETE"}


def guid(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def flags(argv: list[str]) -> dict[str, str]:
    found, index = {}, 0
    while index < len(argv):
        if argv[index].startswith("-") and index + 1 < len(argv):
            found[argv[index]] = argv[index + 1]
            index += 2
        else:
            index += 1
    return found


def api_path(argv: list[str]) -> str:
    """The endpoint of a `gh api` call: its first argument that is neither a flag nor a flag's value."""
    index = 1
    while argv[index].startswith("-"):
        index += 2
    return argv[index]


def is_change(argv: list[str]) -> bool:
    """Whether a recorded call creates, changes or deletes something."""
    options = flags(argv)
    if argv[0] == "gh" and argv[1] == "api":
        return options.get("--method", "GET") != "GET"
    if argv[:2] == ["az", "rest"]:
        return options.get("--method", "GET").upper() != "GET"
    return any(word in CHANGING_VERBS for word in argv[1:] if not word.startswith("-"))


class Standin:
    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.state = json.loads(state_file.read_text()) if state_file.exists() else {}

    def save(self) -> None:
        self.state_file.write_text(json.dumps(self.state))

    def az(self, argv: list[str]) -> object:
        words = []
        for word in argv:
            if word.startswith("-"):
                break
            words.append(word)
        options = flags(argv)
        if words[:2] == ["account", "show"]:
            return {"id": SUBSCRIPTION, "tenantId": TENANT, "name": "Demo subscription"}
        if words[:2] == ["ad", "signed-in-user"]:
            return {"id": guid("admin")}
        if words[0] == "rest":
            return self.devops_rest(options)
        if words[0] == "devops":
            return self.devops(words[1:], options)
        if words[:2] == ["role", "definition"]:
            store = self.state.setdefault("role definitions", {})
            if words[2] == "list":
                return [store[options["--name"]]] if options["--name"] in store else []
            definition = json.loads(options["--role-definition"])
            store[definition["Name"]] = definition
            return definition
        noun, verb = tuple(words[:-1]), words[-1]
        if noun == ("storage", "account", "blob-service-properties"):
            return {}
        if "--assignee-object-id" in options:
            options["--assignee"] = options["--assignee-object-id"]
        key = json.dumps([noun, [options.get(flag) for flag in IDENTIFYING[noun]]])
        store = self.state.setdefault("az", {})
        if verb in ("show", "list"):
            if key not in store:
                return [] if verb == "list" else None
            return [store[key]] if verb == "list" else store[key]
        if verb == "delete":
            store.pop(key, None)
            return {}
        thing = {"name": options.get("--name"), **{k.lstrip("-"): v for k, v in options.items()}}
        if noun == ("provider",):
            thing["registrationState"] = "Registered"
        if noun == ("identity",):
            name = options["--name"]
            thing.update(clientId=guid("client/" + name), principalId=guid("principal/" + name))
        store[key] = thing
        return thing

    def devops(self, words: list[str], options: dict[str, str]) -> object:
        endpoints = self.state.setdefault("endpoints", {})
        if words == ["project", "show"]:
            return {"id": guid("project"), "name": options["--project"]}
        if words == ["service-endpoint", "list"]:
            name = options["--query"].split("'")[1]
            return endpoints.get(name)
        if words == ["service-endpoint", "create"]:
            config = json.loads(Path(options["--service-endpoint-configuration"]).read_text())
            endpoint = {"id": guid("endpoint/" + config["name"]), "name": config["name"], "config": config}
            endpoints[config["name"]] = endpoint
            return endpoint
        if words == ["service-endpoint", "show"]:
            (endpoint,) = [e for e in endpoints.values() if e["id"] == options["--id"]]
            parameters = {
                "workloadIdentityFederationIssuer": f"https://login.microsoftonline.com/{TENANT}/v2.0",
                "workloadIdentityFederationSubject": f"sc://acme/{PROJECT}/{endpoint['name']}",
            }
            return {**endpoint, "authorization": {"parameters": parameters}}
        raise SystemExit(f"stand-in az devops: unexpected {words}")

    def devops_rest(self, options: dict[str, str]) -> object:
        url = urlparse(options["--url"])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        method = options["--method"].upper()
        if url.path.endswith("/distributedtask/environments"):
            environments = self.state.setdefault("environments", {})
            if method == "GET":
                return {"value": [environments[query["name"]]] if query["name"] in environments else []}
            body = json.loads(options["--body"])
            environments[body["name"]] = {"id": len(environments) + 1, "name": body["name"]}
            return environments[body["name"]]
        if url.path.endswith("/pipelines/checks/configurations"):
            checks = self.state.setdefault("checks", [])
            if method == "GET":
                wanted = (query["resourceType"], query["resourceId"])
                return {"value": [c for c in checks if (c["resource"]["type"], c["resource"]["id"]) == wanted]}
            body = json.loads(options["--body"])
            checks.append(body)
            return body
        raise SystemExit(f"stand-in az rest: unexpected {url.path}")

    def gh(self, argv: list[str], stdin: str) -> object:
        options = flags(argv)
        if argv[:2] == ["repo", "view"]:
            return {"nameWithOwner": f"{OWNER}/{REPO}"}
        if argv[0] == "variable":
            scope = options.get("--env", "")
            store = self.state.setdefault("variables", {}).setdefault(scope, {})
            if argv[1] == "list":
                return [{"name": k, "value": v} for k, v in store.items()]
            store[argv[2]] = options["--body"]
            return None
        path = api_path(argv)
        method = options.get("--method", "GET")
        environments = self.state.setdefault("gh environments", {})
        if path == f"repos/{OWNER}/{REPO}":
            return {"id": REPO_ID, "name": REPO, "owner": {"login": OWNER, "id": OWNER_ID}}
        if path.endswith("/actions/oidc/customization/sub"):
            return {"use_default": True}
        if path == "user":
            return {"id": 42, "login": "admin"}
        parts = path.split("/")
        if parts[3:4] == ["environments"] and len(parts) == 5:
            if method == "PUT":
                environments[parts[4]] = {"name": parts[4], "body": json.loads(stdin), "branch_policies": []}
                return environments[parts[4]]
            return environments.get(parts[4])
        if parts[3:4] == ["environments"] and parts[5:] == ["deployment-branch-policies"]:
            environment = environments[parts[4]]
            if method == "POST":
                fields = dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "-f")
                environment["branch_policies"].append({"name": fields["name"], "type": fields["type"]})
                return environment["branch_policies"][-1]
            return {"branch_policies": environment["branch_policies"]}
        raise SystemExit(f"stand-in gh: unexpected {argv}")


def standin_main(tool: str) -> int:
    """Entry point of the stand-in executables."""
    argv = sys.argv[1:]
    with open(os.environ["STANDIN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": [tool, *argv]}) + "\n")
    standin = Standin(Path(os.environ["STANDIN_STATE"]))
    stdin = sys.stdin.read() if "--input" in argv else ""
    result = standin.az(argv) if tool == "az" else standin.gh(argv, stdin)
    standin.save()
    if result is None:
        if tool == "gh" and argv[0] == "api":
            print("gh: Not Found (HTTP 404)", file=sys.stderr)
            return 1
        if tool == "az" and "show" in argv[:4]:
            print("ERROR: (ResourceNotFound)", file=sys.stderr)
            return 3
        return 0
    print(json.dumps(result))
    return 0


def install(bin_dir: Path) -> None:
    """Write the `az` and `gh` stand-ins into bin_dir."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    for tool in ("az", "gh"):
        script = bin_dir / tool
        script.write_text(
            f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(here)!r})\n"
            f"from bootstrap_standins import standin_main\nsys.exit(standin_main({tool!r}))\n"
        )
        script.chmod(0o755)


class Sandbox:
    """A copy of what the bootstrap reads and writes in a baked project, with the stand-ins on PATH."""

    def __init__(self, project: Path, work: Path) -> None:
        self.root = work / "project"
        for folder in ("ci", "config", "infrastructure"):
            shutil.copytree(project / folder, self.root / folder)
        install(work / "bin")
        self.log = work / "calls.jsonl"
        self.state = work / "state.json"
        self.env = {**os.environ, "PATH": f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}",
                    "STANDIN_LOG": str(self.log), "STANDIN_STATE": str(self.state)}  # fmt: skip

    def run(self, *args: str) -> tuple[subprocess.CompletedProcess, list[list[str]]]:
        """Run the bootstrap; returns its result and the calls this run made."""
        before = self.calls()
        result = subprocess.run(
            [sys.executable, "ci/bootstrap.py", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        return result, self.calls()[len(before) :]

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line)["argv"] for line in self.log.read_text().splitlines()]


def platform_args(answers: dict) -> list[str]:
    if answers.get("ci_platform") == "azure_devops":
        return ["--organization", ORGANIZATION, "--project", PROJECT]
    return []


def recorded_calls(project: Path, answers: dict) -> list[list[str]]:
    """Every az/gh argv of a real bootstrap run (dev, then prod) of the baked project, against the stand-ins."""
    with tempfile.TemporaryDirectory() as work:
        sandbox = Sandbox(project, Path(work))
        for env in ("dev", "prod"):
            result, _ = sandbox.run("--environment", env, *platform_args(answers))
            if result.returncode != 0:
                raise RuntimeError(f"bootstrap {env} failed:\n{result.stdout}\n{result.stderr}")
        return sandbox.calls()
