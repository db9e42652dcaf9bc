"""Answers are data: checked as cookiecutter collects them, never rendered as Jinja.

Cookiecutter renders every value of cookiecutter.json with Jinja (``prompt.render_variable``) so that
defaults can derive from earlier answers; an answer given with ``key=value``, ``--extra-context`` or a
``.cruft.json`` replaces that value and would be rendered too, running any code it holds. Our extension
receives the environment before anything is rendered, and puts this guard in front of ``from_string``:

- a value that ``render_variable`` asks for is rendered only if it is one of the derived defaults of
  cookiecutter.json (project_slug, package_name, ...); any other value is returned as it is, and one holding
  template syntax is an error;
- each answer is validated as soon as cookiecutter has it (the next value it renders), so a bad answer
  fails before the project folder is named and created, and at the prompt it is asked again at once;
- everything else the environment renders (path names, hooks) gets the complete answers checked first, which
  covers ``--replay`` and cruft, whose answers reach ``generate_files`` without being prompted for.

Errors are ``AnswerRejected``, a ``FailedHookException``: cookiecutter's CLI prints its message and exits 1
without a traceback, and callers that already expect a failed validation hook keep working. Under cruft, whose
CLI shows every exception as a traceback, the message is printed and the process exits with status 1.
"""

from __future__ import annotations

import re
import sys
from functools import cache

from cookiecutter.exceptions import FailedHookException

from . import options, validation

# The last key of cookiecutter.json: cookiecutter renders it after the last question, so every answer,
# the last one included, is checked before the replay file is written and the folder is created.
END_KEY = "__answers_checked"
_PROMPT_MODULE = "cookiecutter.prompt"
_MISSING = object()


class AnswerRejected(FailedHookException):
    """Answers that break a rule; the message has one line per field, naming it and the rule."""


@cache
def derived_defaults() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Field -> (its default template, the fields it is derived from), for the templated defaults only."""
    derived = {}
    for key, raw in options.cookiecutter_json().items():
        if validation.has_template_syntax(raw):
            derived[key] = (raw, tuple(dict.fromkeys(re.findall(r"cookiecutter\.(\w+)", raw))))
    return derived


def _frame_of(function: str):
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == function and frame.f_globals.get("__name__") == _PROMPT_MODULE:
            return frame
        frame = frame.f_back
    return None


def _error(lines: list[str]) -> BaseException:
    if len(lines) == 1:
        message = f"Error, nothing was generated: {lines[0]}"
    else:
        message = "Error, nothing was generated; fix these answers:\n" + "\n".join(f"  - {x}" for x in lines)
    if _under_cruft():
        # cruft's CLI prints any exception as a traceback; a message and exit status 1 is all a user needs.
        print(message, file=sys.stderr)
        return SystemExit(1)
    return AnswerRejected(message)


def _under_cruft() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith("cruft."):
            return True
        frame = frame.f_back
    return False


class _Guard:
    def __init__(self, environment) -> None:
        self.original = environment.from_string
        self.checked: dict[str, object] = {}
        self.derived: dict[str, str] = {}  # field -> what its default template rendered to
        self.errors: dict[str, str] = {}
        self.bad_fields: set[str] = set()
        self.complete = False

    def from_string(self, source, globals=None, template_class=None):
        caller = sys._getframe(1)
        if caller.f_code.co_name == "render_variable" and caller.f_globals.get("__name__") == _PROMPT_MODULE:
            return _AnswerValue(self, source)
        return _CheckedTemplate(self, source, self.original(source, globals, template_class))

    def render_answer(self, source: str, answers: dict) -> str:
        prompting = _frame_of("prompt_for_config")
        scope = prompting.f_locals if prompting is not None else {}
        key, no_input = scope.get("key"), scope.get("no_input", True)
        self.check_collected(answers, no_input, scope.get("prompts") or {})
        if key == END_KEY:
            self.finish(answers)
            return source
        template, sources = derived_defaults().get(key, (None, ()))
        if source == template:
            # A default derived from a bad answer is not computed (its filters may not take the value); it stays
            # empty and is not reported: the answer it comes from is.
            bad_source = any(field in self.bad_fields for field in sources)
            self.derived[key] = "" if bad_source else self.original(source).render(cookiecutter=answers)
            return self.derived[key]
        # Anything else is an answer (or a plain default): data, returned as it is and never parsed.
        return source

    def check_collected(self, answers: dict, no_input: bool, prompts: dict) -> None:
        for field, value in list(answers.items()):
            if field.startswith("_") or self.checked.get(field, _MISSING) == value:
                continue
            message = validation.field_messages({field: value}).get(field)
            while message and not no_input and isinstance(value, str):
                value = self.ask_again(field, value, message, prompts)
                answers[field] = value
                message = validation.field_messages({field: value}).get(field)
            self.checked[field] = value
            if not message:
                continue
            # A derived value that is bad because a field it comes from is bad: only that field is reported.
            blamed = self.is_derived(field, value) and any(
                source in self.bad_fields for source in derived_defaults()[field][1]
            )
            self.bad_fields.add(field)
            if not blamed:
                self.errors[field] = message + self.derivation_note(field, value, answers)
        if not no_input:
            self.ask_again_until_compatible(answers, prompts)

    def ask_again_until_compatible(self, answers: dict, prompts: dict) -> None:
        """A yes/no answer that does not go with an earlier one is asked again at once (not reported at the end)."""
        from cookiecutter.prompt import read_user_yes_no

        for message in validation.rule_messages(answers):
            field = message.split(":", 1)[0]
            print(message, file=sys.stderr)
            while True:
                answers[field] = read_user_yes_no(field, options.defaults()[field], prompts)
                if not validation.rule_messages(answers):
                    break
                print(validation.rule_messages(answers)[0], file=sys.stderr)
            self.checked[field] = answers[field]

    def ask_again(self, field: str, value: str, message: str, prompts: dict) -> str:
        from cookiecutter.prompt import read_user_variable

        print(message, file=sys.stderr)
        return read_user_variable(field, "" if validation.has_template_syntax(value) else value, prompts)

    def is_derived(self, field: str, value: object) -> bool:
        return field in self.derived and self.derived[field] == value

    def derivation_note(self, field: str, value: object, answers: dict) -> str:
        if not self.is_derived(field, value):
            return ""
        sources = ", ".join(f"{name}={validation._show(answers.get(name))}" for name in derived_defaults()[field][1])
        return f" ({field} was not given: it is derived from {sources}; give {field} yourself or change that)"

    def finish(self, answers: dict) -> None:
        if self.errors:
            raise _error(list(self.errors.values()))
        self.check_complete(answers)

    def check_complete(self, answers: dict) -> None:
        """All answers and the Azure names they make; once per environment."""
        if self.complete:
            return
        missing = [key for key in options.public_keys() if key not in answers]
        if missing:  # not the answers of this template (or not all of them yet): nothing to judge
            return
        messages = validation.validate_answers({**answers, "_environments": options.environments()})
        if messages:
            raise _error(messages)
        self.complete = True


class _AnswerValue:
    """What ``render_variable`` gets back from ``from_string``: ``render`` checks and returns data."""

    def __init__(self, guard: _Guard, source: str) -> None:
        self.guard, self.source = guard, source

    def render(self, *args, **kwargs) -> str:
        answers = kwargs.get("cookiecutter")
        if answers is None and args and isinstance(args[0], dict):
            answers = args[0].get("cookiecutter")
        return self.guard.render_answer(self.source, answers if answers is not None else {})


class _CheckedTemplate:
    """A template of ours (a path name, a hook): the complete answers are checked before it renders."""

    def __init__(self, guard: _Guard, source, template) -> None:
        self.guard, self.source, self.template = guard, source, template

    def render(self, *args, **kwargs):
        context = dict(*args, **kwargs)
        answers = context.get("cookiecutter")
        if isinstance(answers, dict):
            if any(key not in answers for key in options.public_keys()):
                self.refuse_unknown_template()
            self.guard.check_complete(answers)
        return self.template.render(*args, **kwargs)

    def refuse_unknown_template(self) -> None:
        """Answers still being collected: only our derived defaults are templates (fails closed if cookiecutter
        ever renders answers from somewhere this guard does not recognise as ``render_variable``)."""
        ours = {template for template, _ in derived_defaults().values()}
        if validation.has_template_syntax(self.source) and self.source not in ours:
            raise _error([f"answer {validation._show(self.source)} is not valid. Rule: {validation.TEMPLATE_RULE}"])

    def __getattr__(self, name):
        return getattr(self.template, name)


def guard(environment) -> None:
    """Route the environment's ``from_string`` through the guard (once per environment)."""
    if not isinstance(getattr(environment, "_answers_guard", None), _Guard):
        environment._answers_guard = _Guard(environment)
        environment.from_string = environment._answers_guard.from_string
