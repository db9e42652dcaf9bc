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
        elif isinstance(raw, bool):
            props.setdefault(key, {"type": "boolean", "x-rule": "true or false", "x-example": json.dumps(raw)})
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


# Jinja's markers. An answer is data: it is never rendered, so template syntax in one is a mistake (or an
# attack: cookiecutter would run it), rejected with its own rule.
TEMPLATE_MARKERS = ("{{", "{%", "{#")
TEMPLATE_RULE = "plain text: template syntax ('{{', '{%', '{#') is not allowed in an answer"
SHOWN_LENGTH = 60
MAX_TEXT = 1000


def _show(value: object) -> str:
    # repr keeps quotes, backslashes and newlines visible instead of breaking the message; a long value is cut
    # so that the message stays one readable line
    if not isinstance(value, str):
        return json.dumps(value)
    if len(value) > SHOWN_LENGTH:
        return f"{value[:SHOWN_LENGTH]!r}... ({len(value)} characters)"
    return repr(value)


def has_template_syntax(value: object) -> bool:
    return isinstance(value, str) and any(marker in value for marker in TEMPLATE_MARKERS)


def _text_message(field: str, value: object, example: str) -> str | None:
    """The rules every free-text answer follows before its own: no template syntax, only real characters."""
    if not isinstance(value, str):
        return None
    if len(value) > MAX_TEXT:  # no rule allows it; checked before any pattern so the work stays bounded
        return f"{field}: {_show(value)} is not valid. Rule: at most {MAX_TEXT} characters. Example: {field}={example}"
    if has_template_syntax(value):
        return f"{field}: {_show(value)} is not valid. Rule: {TEMPLATE_RULE}. Example: {field}={example}"
    # A byte that is not UTF-8 reaches Python as a lone surrogate (surrogateescape): it cannot be written to a file.
    if any("\ud800" <= char <= "\udfff" for char in value):
        return (
            f"{field}: {_show(value)} is not valid. Rule: text in UTF-8 (it holds a byte that is not UTF-8). "
            f"Example: {field}={example}"
        )
    return None


def field_messages(answers: dict) -> dict[str, str]:
    """One message per invalid field among those present in ``answers`` (missing fields are not reported)."""
    schema = input_schema()
    messages: dict[str, str] = {}
    rest = {}
    for field, value in answers.items():
        spec = schema["properties"].get(field)
        if spec is None:
            continue
        message = _text_message(field, value, spec.get("x-example", ""))
        if message:
            messages[field] = message
        else:
            rest[field] = value
    validator = jsonschema.Draft202012Validator({**schema, "required": []})
    for error in validator.iter_errors(rest):
        if error.absolute_path:
            field = str(error.absolute_path[0])
            spec = schema["properties"].get(field, {})
            messages.setdefault(
                field,
                f"{field}: {_show(error.instance)} is not valid. Rule: {spec.get('x-rule', error.message)}. "
                f"Example: {field}={spec.get('x-example', '')}",
            )
    return {field: messages[field] for field in answers if field in messages}


def rule_messages(answers: dict) -> list[str]:
    """Answers valid one by one that do not go together (``_option_rules`` in cookiecutter.json)."""
    messages = []
    for rule, key, value in options.rule_violations(answers):
        (field, when), *_ = rule["when"].items()
        allowed = " or ".join(map(str, rule["require"][key]))
        default = options.defaults()[field]
        messages.append(
            f"{field}: {_show(when)} is not valid with {key}={_show(value)}. Rule: {field}={_show(when)} needs "
            f"{key} {allowed} ({rule['why']}). Example: {field}={_show(default)}"
        )
    return messages


def _input_messages(answers: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(input_schema())
    missing = [f"answers: {error.message}" for error in validator.iter_errors(answers) if not error.absolute_path]
    fields = field_messages(answers)
    return missing + sorted(fields.values()) + (rule_messages(answers) if not fields else [])


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
