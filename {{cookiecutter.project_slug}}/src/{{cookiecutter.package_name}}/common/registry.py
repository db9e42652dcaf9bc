"""Champion lookup and promotion in the MLflow model registry (local sqlite or the Azure ML workspace).

The champion is the version carrying the registry alias ``champion``. Where a registry does not
support aliases, a version tag ``champion=true`` stands in, so the gate works the same. Azure ML's
MLflow registry is one: its support matrix (Microsoft Learn, "Manage models registries in Azure
Machine Learning with MLflow") lists version tags but no aliases, so there the alias routes are not
even tried (tests/data/azureml_mlflow_routes.json).
"""

from __future__ import annotations

from dataclasses import dataclass

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from . import tracking

CHAMPION = "champion"


@dataclass(frozen=True)
class Champion:
    name: str
    version: str
    run_id: str | None

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def _tagged_champion(client: MlflowClient, name: str, alias: str):
    versions = client.search_model_versions(f"name = '{name}'")
    tagged = [v for v in versions if (v.tags or {}).get(alias) == "true"]
    return max(tagged, key=lambda v: int(v.version)) if tagged else None


def uses_aliases() -> bool:
    """Whether the registry in use has aliases (Azure ML's has not: see the module docstring)."""
    return not tracking.on_azureml()


def serving_uri(name: str, version: str, alias: str = CHAMPION) -> str:
    """The URI that always loads the current champion: by alias, or by version where there are no aliases."""
    return f"models:/{name}@{alias}" if uses_aliases() else f"models:/{name}/{version}"


def find_champion(name: str, alias: str = CHAMPION, client: MlflowClient | None = None) -> Champion | None:
    client = client or MlflowClient()
    if not uses_aliases():
        version = _tagged_champion(client, name, alias)
    else:
        try:
            version = client.get_model_version_by_alias(name, alias)
        except MlflowException:
            # No such model or alias yet, or a registry without aliases: look for the tag instead.
            version = _tagged_champion(client, name, alias)
    if version is None:
        return None
    return Champion(name=name, version=str(version.version), run_id=version.run_id)


def promote(
    model_uri: str, name: str, tags: dict[str, str], alias: str = CHAMPION, client: MlflowClient | None = None
) -> tuple[Champion, Champion | None]:
    """Register ``model_uri`` as a new version of ``name`` and make it the champion.

    Returns the new champion and the one it replaced (or None).
    """
    client = client or MlflowClient()
    previous = find_champion(name, alias, client)
    version = mlflow.register_model(model_uri, name, tags=tags)
    champion = Champion(name=name, version=str(version.version), run_id=version.run_id)
    if uses_aliases():
        try:
            client.set_registered_model_alias(name, alias, version.version)
            return champion, previous
        except MlflowException:
            pass  # a registry without aliases after all: the tag stands in
    client.set_model_version_tag(name, version.version, alias, "true")
    if previous is not None:
        client.delete_model_version_tag(name, previous.version, alias)
    return champion, previous
