"""The per-environment config files are complete and keep environments apart."""

import pytest

from {{ cookiecutter.package_name }}.config import environments, load_config, main

ENVIRONMENTS = {{ cookiecutter._environments | list | tojson }}


def test_every_environment_has_a_config_file():
    assert environments() == sorted(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_config_names_its_environment(environment):
    config = load_config(environment)
    assert config["environment"] == environment
    assert environment in config["azure"]["workspace"]


def test_environments_do_not_share_resources():
    azure = [load_config(env)["azure"] for env in ENVIRONMENTS]
    for key in ("resource_group", "workspace", "storage_account", "key_vault", "container_registry"):
        assert len({section[key] for section in azure}) == len(ENVIRONMENTS), key


def test_unknown_environment_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown environment 'staging'"):
        load_config("staging")


def test_cli_prints_json(capsys):
    assert main(["{{ cookiecutter._environments[0] }}"]) == 0
    assert '"environment": "{{ cookiecutter._environments[0] }}"' in capsys.readouterr().out
