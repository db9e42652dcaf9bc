"""Validate the answers before cookiecutter writes a single file.

Two JSON Schemas are checked: one on the answers themselves (``inputs.schema.json`` plus the
choice lists of ``cookiecutter.json``) and one on the Azure names the answers end up in (built
from ``naming.RULES``). Every problem becomes one line that names the field, the value, the rule
and a valid example.
"""

from __future__ import annotations

import json
import keyword
from pathlib import Path

import jsonschema

from . import naming, options

SCHEMA_PATH = Path(__file__).with_name("inputs.schema.json")


def input_schema() -> dict:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    props = schema["properties"]
    for key in options.public_keys():
        raw = options.cookiecutter_json()[key]
        if isinstance(raw, list):
            props[key] = {
                "enum": list(raw),
                "x-rule": "one of " + ", ".join(map(str, raw)),
                "x-example": str(raw[0]),
            }
    props["azure_location"]["enum"] = list(naming.AZURE_REGIONS)
    props["package_name"]["not"] = {"enum": list(keyword.kwlist) + list(keyword.softkwlist)}
    return schema


def derived_names_schema(names: dict[str, str]) -> dict:
    properties = {}
    for key in names:
        rule = naming.RULES[key.split(".")[0]]
        properties[key] = {
            "type": "string",
            "pattern": rule.pattern,
            "minLength": rule.min_length,
            "maxLength": rule.max_length,
            "x-rule": rule.rule,
        }
    return {"type": "object", "properties": properties}


def _show(value: object) -> str:
    # repr keeps quotes, backslashes and newlines visible instead of breaking the message
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _input_messages(answers: dict) -> list[str]:
    schema = input_schema()
    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for error in sorted(validator.iter_errors(answers), key=lambda e: list(e.absolute_path)):
        if error.absolute_path:
            field = str(error.absolute_path[0])
            spec = schema["properties"].get(field, {})
            messages.append(
                f"{field}: {_show(error.instance)} is not valid. Rule: {spec.get('x-rule', error.message)}. "
                f"Example: {field}={spec.get('x-example', '')}"
            )
        else:  # a missing required field
            messages.append(f"answers: {error.message}")
    return messages


def _name_messages(answers: dict) -> list[str]:
    names = naming.derived_names(answers["resource_prefix"], answers["name_suffix"], answers["_environments"])
    schema = derived_names_schema(names)
    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for error in validator.iter_errors(names):
        key = str(error.absolute_path[0])
        kind, _, env = key.partition(".")
        where = f" in {env}" if env else ""
        messages.append(
            f"resource_prefix/name_suffix: {_show(answers['resource_prefix'])}/{_show(answers['name_suffix'])} "
            f"make the {kind.replace('_', ' ')} name{where} {_show(error.instance)}, which breaks Azure's rule: "
            f"{schema['properties'][key]['x-rule']}. Example: resource_prefix=credrisk name_suffix=x7k2"
        )
    return messages


def validate_answers(answers: dict) -> list[str]:
    """Return one message per problem; an empty list means the answers are good."""
    messages = _input_messages(answers)
    if not messages:
        messages = _name_messages(answers)
    return messages
