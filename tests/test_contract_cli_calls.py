"""The az/gh call contract (tests/contracts/cli_calls.py) finds calls wherever generated files make them and reads
them as the real CLIs would.

Facts encoded here, with their sources (in tests/data/cli_commands.json, from tests/tools/extract_cli_commands.py):
- `az ml schedule update` is a generic update command without --file, whose getter needs --name
  (Azure/azure-cli-extensions src/machinelearningservices/azext_mlv2/manual/commands.py and custom/schedule.py);
- `az ml job create` takes --file/-f, --set, --stream (azext_mlv2/manual/_params/_job_params.py);
- `az ml online-endpoint show` needs --name (azext_mlv2/manual/custom/online_endpoint.py `ml_online_endpoint_show`);
- `az role assignment create` needs --role and --scope (azure-cli 2.91, `az role assignment create --help`);
- `gh variable set` has --env/-e and --body/-b, no --environment (cli/cli pkg/cmd/variable/set/set.go).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from contracts.cli_calls import CONTRACTS, check, check_argv

CONTRACT = CONTRACTS[0]


def _check(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for relative, content in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return check(tmp_path, [relative for relative in files if CONTRACT.matches(relative)])


def test_a_multi_line_call_is_one_call_reported_at_its_first_line(tmp_path):
    script = 'set -e\naz ml job create \\\n  --file pipeline.yml \\\n  --strem \\\n  "${AZ_ML[@]}"\n'
    assert _check(tmp_path, {"ci/train.sh": script}) == ["ci/train.sh:2: `az ml job create` has no option --strem"]


def test_options_from_a_literal_array_are_checked_and_count_as_given(tmp_path):
    script = (
        "overrides=(--set instance_count=1)\n"
        'if [ -n "$X" ]; then overrides+=(--instance-type "$X"); fi\n'
        'az ml online-deployment create --file d.yml "${overrides[@]}" "${AZ_ML[@]}"\n'
        'az ml online-endpoint show "${name_args[@]}" "${AZ_ML[@]}"\n'  # unknown array: --name may be in it
        'args=(--name "$ENDPOINT")\naz ml online-endpoint show "${args[@]}" "${AZ_ML[@]}"\n'
    )
    assert _check(tmp_path, {"ci/deploy.sh": script}) == [
        "ci/deploy.sh:3: `az ml online-deployment create` has no option --instance-type"
    ]


def test_az_ml_array_from_common_sh_supplies_resource_group_and_workspace(tmp_path):
    common = 'use_env() {\n  AZ_ML=(--resource-group "$(setting "$1" rg)" --workspace-name "$(setting "$1" ws)")\n}\n'
    deploy = 'az ml online-endpoint show --name "$E" "${AZ_ML[@]}"\n'
    assert _check(tmp_path, {"ci/common.sh": common, "ci/deploy.sh": deploy}) == []


def test_a_readme_bash_block_is_checked_with_its_file_line(tmp_path):
    readme = "# Title\n\nSome text with `az nothing`.\n\n```bash\nAPP=$(az ad app create --display-nme x)\n```\n"
    assert _check(tmp_path, {"README.md": readme}) == [
        "README.md:6: `az ad app create` has no option --display-nme",
        "README.md:6: `az ad app create` needs --display-name",
    ]


def test_a_missing_required_option_is_reported(tmp_path):
    script = 'az role assignment create --assignee "$ID" --role Reader\n'
    assert _check(tmp_path, {"ci/iac.sh": script}) == ["ci/iac.sh:1: `az role assignment create` needs --scope"]


def test_an_unknown_command_is_reported(tmp_path):
    script = "az ml endpoint show --name x\naz ml online-endpoint show --name x\n"
    problems = _check(tmp_path, {"ci/x.sh": script})
    assert len(problems) == 1 and problems[0].startswith("ci/x.sh:1: `az ml endpoint show` is not a command")


def test_gh_calls_are_checked(tmp_path):
    readme = (
        '```bash\ngh variable set AZURE_CLIENT_ID --environment dev --body "$ID"\n'
        'gh api --method PUT "repos/$REPO/environments/prod" --input - <<JSON\n{"az ml bogus": 1}\nJSON\n```\n'
    )
    assert _check(tmp_path, {"README.md": readme}) == ["README.md:2: `gh variable set` has no option --environment"]


def test_workflow_run_and_pipeline_inline_scripts_are_checked(tmp_path):
    workflow = (
        "jobs:\n  a:\n    steps:\n      - run: az ml job show --nme x\n"
        "      - name: b\n        run: |\n          echo start\n          az ml job create --file f.yml --wat\n"
    )
    pipeline = (
        "steps:\n  - task: AzureCLI@2\n    inputs:\n      inlineScript: |\n"
        "        az ml model show --name m --versio 1 -g $(rg) -w $(ws)\n"
    )
    assert _check(tmp_path, {".github/workflows/ml.yml": workflow, ".azuredevops/pipelines/ml.yml": pipeline}) == [
        ".azuredevops/pipelines/ml.yml:5: `az ml model show` has no option --versio",
        ".github/workflows/ml.yml:4: `az ml job show` has no option --nme",
        ".github/workflows/ml.yml:8: `az ml job create` has no option --wat",
    ]


def test_values_calls_in_text_and_here_documents_are_not_calls(tmp_path):
    script = (
        'echo "run az ml bogus to see"\n'
        'NAME="$(az ml job show --name "$J" "${AZ_ML[@]}" --query name -o tsv)"\n'
        "cat <<EOF\naz ml bogus --nope\nEOF\n"
        'az ml job create --file f.yml --set "display_name=$(date +%s)" "${AZ_ML[@]}"\n'
    )
    assert _check(tmp_path, {"ci/x.sh": script}) == []


def test_check_argv_reads_a_recorded_call():
    # The stand-ins of az and gh that issue 12's bootstrap tests use record argv lists like these.
    assert check_argv(["az", "ml", "job", "create", "--file", "p.yml", "-g", "rg", "-w", "ws"]) == []
    assert check_argv(["/usr/bin/gh", "variable", "set", "X", "--env", "dev", "--body", "1"]) == []
    assert check_argv(["az", "role", "assignment", "create", "--role", "Reader"]) == [
        "`az role assignment create` needs --scope"
    ]
    assert check_argv(["terraform", "apply"]) == []


def test_the_old_schedule_update_of_deploy_sh_fails_the_check(baked, tmp_path):
    # Issue 12, defect 3: ci/deploy.sh ran `az ml schedule update --file ... --set ...` on every deploy after the
    # first; `schedule update` is a generic update (no --file) and needs --name (see the module docstring).
    project = shutil.copytree(baked(), tmp_path / "project")
    deploy = project / "ci" / "deploy.sh"
    old = (
        'targets=(--set "create_monitor.monitoring_target.endpoint_deployment_id=azureml:$endpoint:$new")\n'
        'az ml schedule update --file "$monitor" "${targets[@]}" "${AZ_ML[@]}" --output none\n'
    )
    text = deploy.read_text(encoding="utf-8").rstrip("\n") + "\n"
    deploy.write_text(text + old, encoding="utf-8")
    line = text.count("\n") + 2

    problems = check(project, ["ci/deploy.sh", "ci/common.sh"])

    assert f"ci/deploy.sh:{line}: `az ml schedule update` has no option --file" in problems
    assert f"ci/deploy.sh:{line}: `az ml schedule update` needs --name/-n" in problems
    # The same call as `az ml schedule create` (which upserts) passes.
    deploy.write_text(text + old.replace("schedule update", "schedule create"), encoding="utf-8")
    assert not [p for p in check(project, ["ci/deploy.sh", "ci/common.sh"]) if p.startswith(f"ci/deploy.sh:{line}:")]
