"""What the modeler's properties panel asks while an owner edits: the registered service operators with
their parameter names, and the deploy-time sandbox check of one script or expression (so the panel shows
the same verdict deploying would, as the owner types)."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from engine.errors import InvalidInput, N_, ScriptRejected
from engine.sandbox import policy as sandbox

SCRIPT, EXPRESSION = "script", "expression"
CHECKERS: dict[str, Callable[[str], list[ScriptRejected]]] = {
    SCRIPT: sandbox.check_script, EXPRESSION: sandbox.check_expression}
MAX_SOURCE_CHARS = 20_000  # a script task's script; longer belongs in a handler
_PARAMETER_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@dataclass(frozen=True)
class OperatorParameter:
    name: str
    required: bool


@dataclass(frozen=True)
class Operator:
    name: str
    parameters: list[OperatorParameter]


@dataclass(frozen=True)
class CodeProblem:
    line: int | None
    message: str


def operator_catalog(handlers: Mapping[str, Callable[..., Any]]) -> list[Operator]:
    """Every registered operator with the parameters its handler takes after the context, in order."""
    operators = []
    for name in sorted(handlers):
        try:
            signature = inspect.signature(handlers[name])
        except (TypeError, ValueError):  # a builtin without a signature: no parameter names to offer
            operators.append(Operator(name, []))
            continue
        parameters = [p for p in signature.parameters.values() if p.kind in _PARAMETER_KINDS][1:]
        operators.append(Operator(name, [OperatorParameter(p.name, p.default is inspect.Parameter.empty)
                                         for p in parameters]))
    return operators


def check_code(source: Any, kind: Any) -> list[CodeProblem]:
    """Every sandbox problem of one script (`kind` script) or condition/expression (`kind` expression);
    empty when deploying would accept it. Bad input is an InvalidInput naming the field."""
    if kind not in CHECKERS:
        raise InvalidInput(N_("kind must be script or expression"), {"kind": [f"one of {', '.join(CHECKERS)}"]})
    if not isinstance(source, str):
        raise InvalidInput(N_("source must be text"), {"source": ["not a string"]})
    if len(source) > MAX_SOURCE_CHARS:
        raise InvalidInput(N_("source is longer than %(limit)s characters"),
                           {"source": [f"at most {MAX_SOURCE_CHARS} characters"]}, limit=MAX_SOURCE_CHARS)
    if not source.strip():
        return []
    try:
        rejections = CHECKERS[kind](source)
    except SyntaxError as exc:  # as deploy-time validation: in case the sandbox lets the parser's error through
        rejections = [ScriptRejected(f"syntax error: {exc.msg}", exc.lineno)]
    return [CodeProblem(r.line, str(r)) for r in rejections]
