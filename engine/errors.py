"""Exceptions raised by the engine layer; web/ maps them to HTTP once."""
from __future__ import annotations

from dataclasses import dataclass


class CasedeskError(Exception):
    """Base class of every error the engine reports to its callers."""


def N_(message: str) -> str:
    """Marks a sentence for the translation catalogue (`make messages`); it is translated only where it is shown."""
    return message


class Worded(CasedeskError):
    """An error whose sentence a person reads in their language.

    `message` is an English template marked with `N_` whose `%(name)s` parameters are given as keywords:
    `str(error)` is the English sentence (logs, events, the command line), and the web layer words `template`
    with `params` in the reader's language. A list parameter (names, codes, N_-marked words) is joined in the
    reader's way, each item translated where the catalogue has it. Nothing translated is ever stored. A message
    without parameters is taken as it is (an f-string of the engine's own is English for every reader)."""

    def __init__(self, message: str, **params: object):
        english = {name: ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
                   for name, value in params.items()}
        super().__init__(message % english if params else message)
        self.template = message
        self.params = params


class NotFound(Worded):
    """A definition, instance, task or user that does not exist."""


class Forbidden(Worded):
    """The actor may not do this (wrong group, task claimed by someone else)."""


class Conflict(Worded):
    """The request lost a race or refers to stale state (task no longer ready)."""


# The states a refusal names ("instance … is completed", "incident … is resolved"), given as a one-word list parameter
# so that each is translated where the refusal is shown; what is stored stays the English word.
STATE_WORDS = (N_("running"), N_("completed"), N_("cancelled"), N_("failed"), N_("resolved"))


class InvalidInput(Worded):
    """Input data rejected, worded as `Worded` says; `field_errors` maps a field path to its messages."""

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None, **params: object):
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


class RefusedValue(InvalidInput, ValueError):
    """A value casework cannot take (a person's to correct): an InvalidInput worded in the reader's language that
    is still a ValueError to whoever catches one."""


class UnknownName(InvalidInput, LookupError):
    """A user, number or code that names nothing casework knows: an InvalidInput worded in the reader's language
    that is still a LookupError to whoever catches one."""


class RefusedType(InvalidInput, TypeError):
    """A value of the wrong kind for a handler (a flag that is not true or false, a number that is text): an
    InvalidInput worded in the reader's language that is still a TypeError to whoever catches one."""


@dataclass(frozen=True)
class Problem:
    """One validation finding, reported as file, element id, element name, message."""

    file: str
    element_id: str
    element_name: str
    message: str

    def __str__(self) -> str:
        """`file: id (name): message`; a problem of the whole file (not XML, too big) names no element."""
        if not self.element_id:
            return f"{self.file} (the whole file): {self.message}"
        named = f" ({self.element_name})" if self.element_name else ""
        return f"{self.file}: {self.element_id}{named}: {self.message}"


class DefinitionInvalid(CasedeskError):
    """A definition failed validation; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the definition")
        self.problems = problems


class DefinitionUnloadable(CasedeskError):
    """A stored version that no longer loads (e.g. after an upgrade); it is isolated, not fatal."""

    def __init__(self, key: str, version: int, reason: str):
        super().__init__(f"version {version} of process {key!r} cannot be loaded: {reason}; "
                         f"an owner can retire it (casedesk retire {key} --version {version}) or deploy a fix")
        self.key = key
        self.version = version
        self.reason = reason


class ScriptRejected(CasedeskError):
    """A script or expression uses something the sandbox forbids."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


class HandlerFailed(CasedeskError):
    """A service-task handler raised; the step was rolled back."""

    def __init__(self, instance_id: str, task_spec: str, operator: str, cause: BaseException):
        super().__init__(self.describe(instance_id, task_spec, operator, cause))
        self.instance_id = instance_id
        self.task_spec = task_spec
        self.operator = operator
        self.cause = cause

    @staticmethod
    def describe(instance_id: str, task_spec: str, operator: str, cause: BaseException) -> str:
        return (f"service task {task_spec!r} of instance {instance_id} failed in handler "
                f"{operator!r}: {type(cause).__name__}: {cause}")


class HandlerRefused(HandlerFailed, InvalidInput):
    """A handler refused what a person gave the step (its InvalidInput, or a value it cannot use): the step was
    rolled back and nothing was stored, so it answers like a form's own check. `field_errors` are the handler's,
    field path -> message key or text (the web layer words a key in the requester's language); `reason` is the
    handler's own sentence."""

    def __init__(self, instance_id: str, task_spec: str, operator: str, cause: BaseException):
        super().__init__(instance_id, task_spec, operator, cause)
        named = cause.field_errors if isinstance(cause, InvalidInput) else {}
        self.field_errors = {field: list(messages) for field, messages in named.items()}
        self.reason = str(cause)
        # The handler's sentence as a template, for the web layer to word in the reader's language (casework's
        # refusals, missing records and conflicts); another kind of refusal (a bare ValueError) has no template.
        self.reason_template = cause.template if isinstance(cause, Worded) else None
        self.reason_params = dict(cause.params) if isinstance(cause, Worded) else {}

    @staticmethod
    def describe(instance_id: str, task_spec: str, operator: str, cause: BaseException) -> str:
        # The person's to correct: the message leads with what was refused, not with the machinery.
        return (f"the step after the input refused it, so nothing was saved (service task {task_spec!r} of "
                f"instance {instance_id}, handler {operator!r}): {cause}")


class WorkflowFailed(CasedeskError):
    """The engine could not advance an instance (script error, bad expression, …)."""


class ChainBroken(CasedeskError):
    """An instance's event log failed hash-chain verification."""
