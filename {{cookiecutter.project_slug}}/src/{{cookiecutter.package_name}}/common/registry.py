"""Champion lookup and promotion in the MLflow model registry (local sqlite or the Azure ML workspace).

The champion is the version carrying the registry alias ``champion``. Where a registry does not
support aliases, a version tag ``champion=true`` stands in, so the gate works the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

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


def find_champion(name: str, alias: str = CHAMPION, client: MlflowClient | None = None) -> Champion | None:
    client = client or MlflowClient()
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
    try:
        client.set_registered_model_alias(name, alias, version.version)
    except MlflowException:
        client.set_model_version_tag(name, version.version, alias, "true")
        if previous is not None:
            client.delete_model_version_tag(name, previous.version, alias)
    return Champion(name=name, version=str(version.version), run_id=version.run_id), previous
