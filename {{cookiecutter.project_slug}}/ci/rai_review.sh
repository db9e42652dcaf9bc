#!/usr/bin/env bash
# The human review of the Responsible AI dashboard before prod (docs/responsible-ai.md).
#   ci/rai_review.sh link NAME VERSION   print the review link (last line): the model's page in Azure ML studio
#                                        (dev workspace), whose Responsible AI tab holds the dashboard; also
#                                        written to the run summary the reviewer reads.
#   ci/rai_review.sh record MODEL        after the prod approval: tag the promoted registry model version
#                                        (azureml://registries/<registry>/models/<name>/versions/<version>) with
#                                        rai_review=approved, the run that holds the approval, and when.
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

action="${1:-}"
case "$action" in
  link)
    name="$2"
    version="$3"
    use_workspace dev
    subscription="$(az account show --query id --output tsv)"
    workspace_id="/subscriptions/$subscription/resourceGroups/$(setting dev azure.resource_group)"
    workspace_id+="/providers/Microsoft.MachineLearningServices/workspaces/$(setting dev azure.workspace)"
    # Studio's model page: https://ml.azure.com/model/<name>:<version>/details?wsid=<workspace resource id>
    url="https://ml.azure.com/model/$name:$version/details?wsid=$workspace_id"
    summary="$(mktemp)"
    {
      echo "## Responsible AI review of $name version $version"
      echo
{%- if cookiecutter.ml_scenario == "tabular" %}
      echo "Before approving prod, open the model's [Responsible AI dashboard]($url) (tab *Responsible AI*; the"
      echo "report of the evaluate step is in the training run's artifacts, folder responsible_ai/)."
{%- else %}
      echo "Before approving prod, open the [model's page]($url) and its training run's artifacts, folder"
      echo "responsible_ai/ (report.md: metrics per group, explanations, worst-served segments)."
{%- endif %}
      echo "Approve only if every group is served acceptably: the approval is recorded on the model version."
    } >"$summary"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      cat "$summary" >>"$GITHUB_STEP_SUMMARY"
    elif [ -n "${TF_BUILD:-}" ]; then
      echo "##vso[task.uploadsummary]$summary"
    fi
    echo "$url"
    ;;
  record)
    model="$2"
    if [[ ! "$model" =~ ^azureml://registries/([A-Za-z0-9_-]+)/models/([A-Za-z0-9_.-]+)/versions/([0-9]+)$ ]]; then
      ci_error "unexpected model reference '$model': expected azureml://registries/<r>/models/<name>/versions/<v>"
      exit 2
    fi
    registry="${BASH_REMATCH[1]}"
    name="${BASH_REMATCH[2]}"
    version="${BASH_REMATCH[3]}"
    if [ -n "${GITHUB_RUN_ID:-}" ]; then
      run="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY}/actions/runs/$GITHUB_RUN_ID"
    else
      run="${SYSTEM_COLLECTIONURI:-}${SYSTEM_TEAMPROJECT:-}/_build/results?buildId=${BUILD_BUILDID:-local}"
    fi
    # Who approved is in that run's approval history (GitHub: the environment's review; Azure DevOps: the
    # checks of the stage): neither CI hands the approver to the job, so the tag points at the run.
    az ml model update --name "$name" --version "$version" --registry-name "$registry" \
      --set "tags.rai_review=approved" --set "tags.rai_review_run=$run" \
      --set "tags.rai_reviewed_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --output none
    echo "recorded the Responsible AI review of $name version $version: approved in $run"
    ;;
  *)
    ci_error "usage: ci/rai_review.sh link NAME VERSION | record MODEL"
    exit 2
    ;;
esac
