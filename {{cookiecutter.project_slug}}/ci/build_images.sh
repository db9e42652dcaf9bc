#!/usr/bin/env bash
{%- from "partials/container_image.j2" import container_images with context %}
# Build one image of docker/ (train or inference) for ENV and point this checkout's Azure ML files at it.
# The build runs on the registry side (`az acr build`: ACR Tasks run the Dockerfile, so CI needs no Docker
# daemon) in the registry named by containers.registry of config/<env>.yml, and is tagged with the commit.
# An image already built for this commit is not built again (a re-run, or deploy after train).
# Before the build the Dockerfile is linted (hadolint); the registry scans what it stores when Microsoft
# Defender for Containers is on (docs/containers.md).
# The files of this checkout that name the image (mlops/azureml/environment/environment.yml for train,
# mlops/azureml/deploy/{{ cookiecutter.deployment_mode }}/deployment.yml for inference) are rewritten to the built tag: ci/train.sh and
# ci/deploy.sh call this script right before they submit them. Nothing is committed.
# Usage: ci/build_images.sh ENV train|inference
# shellcheck source=ci/common.sh source-path=SCRIPTDIR
source "$(dirname "$0")/common.sh"

env="$1"
image="${2:-}"
require_env_name "$env"
case "$image" in
  train) spec=mlops/azureml/environment/environment.yml ;;
  inference) spec=mlops/azureml/deploy/{{ cookiecutter.deployment_mode }}/deployment.yml ;;
  *)
    ci_error "unknown image '$image': expected train or inference (a folder of docker/)"
    exit 2
    ;;
esac
commit="${GITHUB_SHA:-${BUILD_SOURCEVERSION:-local}}"
case "$commit" in
  *[!0-9a-zA-Z]*)
    ci_error "unexpected commit id '$commit'"
    exit 2
    ;;
esac
registry="$(setting "$env" containers.registry)"
repository="{{ cookiecutter.project_slug }}/$image"
{%- if cookiecutter.secure_workspace %}
# The registry takes no public traffic: ACR Tasks' shared agents cannot push to it, a dedicated agent pool
# inside the network can (docs/containers.md says how to create it).
pool=(--agent-pool "$(setting "$env" containers.agent_pool)")
{%- else %}
pool=()
{%- endif %}

# Lint first: a finding stops the build before anything reaches the registry.
if ! command -v hadolint >/dev/null; then
  python -m pip install --disable-pip-version-check --quiet -r "$CI_DIR/requirements-images.txt"
fi
hadolint --failure-threshold warning "docker/$image/Dockerfile"

login_server="$(az acr show --name "$registry" --query loginServer --output tsv)"
reference="$login_server/$repository:$commit"
if az acr repository show --name "$registry" --image "$repository:$commit" --output none 2>/dev/null; then
  echo "image $reference is already built"
else
  # The build context is docker/<image> only: the image holds dependencies, Azure ML uploads the code.
  az acr build --registry "$registry" --image "$repository:$commit" "${pool[@]}" "docker/$image"
  echo "built image $reference"
fi

# Point the Azure ML file at the image of this commit (whatever tag the committed file names).
python - "$spec" "$repository" "$reference" <<'PY'
import re, sys
from pathlib import Path

spec, repository, reference = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
pattern = re.compile(rf"^(\s*image:\s*)\S+/{re.escape(repository)}:\S+\s*$", re.MULTILINE)
text, count = pattern.subn(lambda match: match.group(1) + reference, spec.read_text(encoding="utf-8"))
if count != 1:
    sys.exit(f"{spec}: expected one image line naming {repository}, found {count}")
spec.write_text(text, encoding="utf-8")
PY
echo "$spec now uses $reference"
ci_output "${image}_image" "$reference"
