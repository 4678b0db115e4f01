"""The script sandbox: every BPMN script, condition and DMN expression is checked and run here."""
from __future__ import annotations

import ast
import functools
import operator
import re
import sys
import time
import types
from datetime import timedelta
from typing import Any, Callable, Mapping

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, copy_locations
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import ScriptRejected

from . import isolation
from .pool import shared_pool

MAX_STEPS = 1_000_000        # loop iterations + function calls per script or expression
MAX_SECONDS = 10.0           # wall-clock backstop for loops whose single iterations are slow
MAX_BYTES = 10_000_000       # largest str/bytes/list/tuple one `*` or `+` may build
MAX_INT_BITS = 100_000       # ~30,000 decimal digits; bigger ints make every operation slow
MAX_RANGE = 1_000_000        # range() feeds C loops (sum, sorted, list) that no step counter sees
_FILENAME = "<string>"       # SpiffWorkflow looks for this name to report the failing line
FORBIDDEN_NAMES = frozenset({
    "__import__", "open", "exec", "eval", "compile", "getattr", "setattr", "delattr", "hasattr",
    "globals", "locals", "vars", "dir", "type", "object", "input", "breakpoint", "help", "super",
    "memoryview", "BaseException"})
# str.format/format_map resolve "{0.__class__}" with the real getattr, behind our guard's back;
# mro() hands out `object` and with it every class in the process; the padding methods take any
# width (an f-string does the same job, and its width is checked at compile time).
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map", "mro", "ljust", "rjust", "center", "zfill",
                                  "expandtabs"}) | INSPECT_ATTRIBUTES
_GUARDED_BINOPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%",
                   ast.FloorDiv: "//"}
_OPERATOR_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod",
                   "**": "pow", "<<": "lshift", ">>": "rshift", "|": "or_", "^": "xor", "&": "and_",
                   "@": "matmul"}
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {  # "+" for a + b, "+=" (in-place) for a += b
    **{symbol: getattr(operator, name) for symbol, name in _OPERATOR_NAMES.items()},
    **{symbol + "=": getattr(operator, "i" + name.rstrip("_")) for symbol, name in _OPERATOR_NAMES.items()}}
_WIDE_FORMAT = re.compile(r"%(?:\([^)]*\))?[-+ #0-9.]*?(?:\*|\d{7,})")  # '%*d', '%0999999999d'
_RP_MESSAGE = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


class _BudgetExceeded(BaseException):
    """Not an Exception, so a script's `except Exception:` cannot swallow it; args[0] is the line."""


def _reject(message: str) -> ScriptRejected:
    """A rejection at the line of the innermost sandboxed frame (guards run below it)."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != _FILENAME:
        frame = frame.f_back
    return ScriptRejected(message, frame.f_lineno if frame is not None else None)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's rules plus ours; also injects step counting and operator guards."""

    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name in FORBIDDEN_NAMES:
            self.error(node, f'"{name}" is not available in scripts')
        else:
            super().check_name(node, name, allow_magic_methods)

    def visit_Import(self, node: ast.AST) -> Any:
        self.not_allowed(node)
        return self.node_contents_visit(node)  # so that problems inside a class body are reported too

    # No classes either: task data must stay plain data, and a class body is one more attack surface.
    visit_ImportFrom = visit_ClassDef = visit_Import  # type: ignore[assignment]

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in FORBIDDEN_ATTRIBUTES - INSPECT_ATTRIBUTES:  # RestrictedPython reports those
            self.error(node, f'attribute "{node.attr}" is not allowed in scripts')
        return super().visit_Attribute(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
        if any(not isinstance(part, ast.Constant) or re.search(r"\d{7}", str(part.value)) for part in spec):
            self.error(node, "f-string format specs must be literal, with widths under 7 digits")
        return super().visit_FormattedValue(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_BINOPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(ast.Name("_binop_", ast.Load()), [ast.Constant(symbol), node.left, node.right], [])
        copy_locations(call, node)
        return call

    @staticmethod
    def _tick(at: Any) -> ast.Call:
        tick = ast.Call(ast.Name("_tick_", ast.Load()), [], [])
        copy_locations(tick, at)
        return tick

    def visit(self, node: Any) -> Any:
        # Step counting by injected _tick_() calls (one per loop iteration, function or lambda call,
        # comprehension item) is deterministic and free in loop-free code, unlike sys.settrace,
        # which 3.11 does not even call for a one-line `while True: pass`.
        result = super().visit(node)
        if isinstance(result, (ast.While, ast.For, ast.FunctionDef)):
            result.body.insert(0, ast.Expr(self._tick(node)))
            copy_locations(result.body[0], node)
        elif isinstance(result, ast.Lambda):
            result.body = ast.BoolOp(ast.And(), [self._tick(node), result.body])  # _tick_() returns True
            copy_locations(result.body, node)
        elif isinstance(result, ast.comprehension):
            result.ifs.insert(0, self._tick(result.iter))
        return result


@functools.lru_cache(maxsize=512)  # the same gateway condition is evaluated on every step
def _compile(source: str, mode: str) -> tuple[types.CodeType | None, tuple[tuple[int | None, str], ...]]:
    try:
        tree: Any = ast.parse(source, _FILENAME, mode)
    except SyntaxError as exc:
        return None, ((exc.lineno, f"syntax error: {exc.msg}"),)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(tree, _FILENAME, policy=_Policy)
    problems = []
    for text in [*result.errors, *result.warnings]:
        if "printed" not in text:  # print() is a deliberate no-op, not a problem
            line, message = match.groups() if (match := _RP_MESSAGE.match(text)) else (None, text)
            problems.append((int(line) if line and line != "None" else None, message))
    return None if problems else result.code, tuple(dict.fromkeys(problems))


def check_script(source: str) -> list[ScriptRejected]:
    """Every problem in a script (script task, pre-/post-script); empty when it may be deployed."""
    return [ScriptRejected(message, line) for line, message in _compile(source, "exec")[1]]


def check_expression(source: str) -> list[ScriptRejected]:
    """Every problem in a condition or DMN expression; empty when it may be deployed."""
    return [ScriptRejected(message, line) for line, message in _compile(source, "eval")[1]]


def _size(value: Any) -> int:
    return len(value) * (1 if isinstance(value, (str, bytes)) else 8)  # 8 bytes per reference


def _binop(symbol: str, left: Any, right: Any) -> Any:
    """Refuse results too big to build (or too slow to compute) before computing them; then apply."""
    op, seqs, too_big = symbol.rstrip("="), (str, bytes, list, tuple), False
    if isinstance(left, int) and isinstance(right, int):  # no huge int takes part: // and % are quadratic
        lb, rb = left.bit_length(), right.bit_length()
        too_big = (lb + rb if op == "*" else lb * right if op == "**" and abs(left) > 1
                   else lb + right if op == "<<" and left else max(lb, rb)) > MAX_INT_BITS
    elif op == "*" and isinstance(left, int) and isinstance(right, seqs):
        too_big = _size(right) * left > MAX_BYTES
    elif op == "*" and isinstance(left, seqs) and isinstance(right, int):
        too_big = _size(left) * right > MAX_BYTES
    elif op == "+" and isinstance(left, seqs) and isinstance(right, seqs):
        too_big = _size(left) + _size(right) > MAX_BYTES
    elif op == "%" and isinstance(left, (str, bytes)):
        too_big = _WIDE_FORMAT.search(left if isinstance(left, str) else left.decode("latin-1")) is not None
    if too_big:
        raise _reject(f"result of {op!r} would be too large")
    return _OPERATORS[symbol](left, right)


def _getattr(obj: Any, name: str, *default: Any) -> Any:
    if not isinstance(name, str) or name.startswith("_") or name in FORBIDDEN_ATTRIBUTES:
        raise _reject(f"attribute {name!r} is not accessible")
    return getattr(obj, name, *default)


def _write(obj: Any) -> Any:
    if type(obj) in (dict, list):  # data the script or the task owns; never attributes of objects
        return obj
    raise _reject(f"cannot assign into a {type(obj).__name__}")


def _range(*args: int) -> range:
    if len(result := range(*args)) > MAX_RANGE:
        raise _reject(f"range of more than {MAX_RANGE} numbers")
    return result


def _sum(iterable: Any, start: Any = 0) -> Any:
    if not isinstance(start, (int, float, timedelta)):  # sum(lists, []) concatenates quadratically in C
        raise TypeError("sum() start must be a number or a timedelta")
    return sum(iterable, start)


def _divmod(left: Any, right: Any) -> tuple[Any, Any]:
    return _binop("//", left, right), _binop("%", left, right)  # same results, guarded


def _printed() -> str:
    return ""  # print() output goes nowhere (not even memory); a script reading `printed` gets ""


_printed._call_print = lambda *args, **kwargs: None  # type: ignore[attr-defined]  # what `print` becomes


def _refuse(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise _reject(f'"{name}" is not available in scripts')
    return refuse


_SAFE_BUILTINS: dict[str, Any] = {
    **{name: _refuse(name) for name in FORBIDDEN_NAMES},  # reached only by code compiled elsewhere
    **{f.__name__: f for f in (len, min, max, sorted, reversed, abs, round, any, all, enumerate, zip, map,
                               filter, list, dict, set, frozenset, tuple, str, int, float, bool, isinstance,
                               Exception, ArithmeticError, LookupError, ValueError, KeyError,
                               IndexError, TypeError, ZeroDivisionError, AttributeError, NameError)},
    "range": _range, "sum": _sum, "divmod": _divmod, "timedelta": timedelta,
    "True": True, "False": False, "None": None,
}
_GUARDS: dict[str, Any] = {
    "__builtins__": _SAFE_BUILTINS, "_getattr_": _getattr, "_getitem_": lambda obj, key: obj[key],
    "_getiter_": iter, "_write_": _write, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence, "_inplacevar_": _binop, "_binop_": _binop,
    "_apply_": lambda f, *args, **kwargs: f(*args, **kwargs), "_print_": lambda _getattr_: _printed,
}
_BUDGET_MESSAGE = f"execution budget exceeded ({MAX_STEPS} steps or {MAX_SECONDS:g}s)"


def _budget() -> tuple[Callable[[], bool], Callable[[], bool]]:
    """A fresh step counter for one run, and a probe telling whether it ran out."""
    left, deadline = MAX_STEPS, time.monotonic() + MAX_SECONDS

    def tick() -> bool:
        nonlocal left
        left -= 1
        if left < 0 or (not left & 127 and time.monotonic() > deadline):  # the clock costs as much as a tick
            left = -1  # stays spent: every later tick raises too, even after a bare `except:`
            raise _BudgetExceeded(sys._getframe(1).f_lineno)
        return True
    return tick, lambda: left < 0


def _run_code(extra_globals: Mapping[str, Any], compiled: tuple[types.CodeType | None, tuple], context: dict,
              external: dict) -> tuple[Any, dict[str, Any]]:
    """Run compiled code under the guards; its value (eval) and namespace."""
    code, problems = compiled
    if code is None:
        raise ScriptRejected(problems[0][1], problems[0][0])
    tick, spent = _budget()
    # Underscore names are skipped so task data can never replace a guard.
    namespace = {**extra_globals, **external, **{k: v for k, v in context.items() if not k.startswith("_")},
                 **_GUARDS, "_tick_": tick}
    try:
        result = eval(code, namespace)  # exec-mode code runs under eval too, returning None
    except _BudgetExceeded as exc:
        raise ScriptRejected(_BUDGET_MESSAGE, exc.args[0]) from None
    if spent():  # the script swallowed the budget error with a bare `except:`
        raise ScriptRejected(_BUDGET_MESSAGE)
    return result, namespace


def _evaluated(extra_globals: Mapping[str, Any], expression: str, context: dict, external: dict) -> Any:
    return _run_code(extra_globals, _compile(expression, "eval"), context, external)[0]


def _executed(extra_globals: Mapping[str, Any], script: str, context: dict, external: dict,
              hidden: frozenset[str]) -> dict[str, Any]:
    """The script's namespace as TaskDataEnvironment keeps it: data, not functions."""
    namespace = _run_code(extra_globals, _compile(script, "exec"), context, external)[1]
    return {name: value for name, value in namespace.items()
            if not (name.startswith("_") or name in hidden or callable(value) or isinstance(value, types.ModuleType))}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment running RestrictedPython code against task data.

    Code that is bounded by its data runs here; anything else in a pooled child process under the OS
    limits (engine/sandbox/isolation.py decides, engine/sandbox/pool.py runs)."""

    def __init__(self, extra_globals: Mapping[str, Any] | None = None):
        super().__init__(dict(extra_globals or {}))
        self.pool = shared_pool()  # one per process: the runtime's, replay's and templates' code alike

    def _contained(self, source: str, mode: str, function: Callable[..., Any], *args: Any) -> Any:
        if isolation.needs_isolation(source, mode):
            return self.pool.run(function, args)
        return function(*args)

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        """The value of `expression` with the task data's variables in scope; `context` is not changed."""
        return self._contained(expression, "eval", _evaluated, self.globals, expression, context,
                               external_context or {})

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        """Run `script`; its new, changed and deleted top-level variables are applied to `context`."""
        external_context = external_context or {}
        hidden = set(self.globals) | set(external_context)
        if clashes := hidden & set(context):  # as SpiffWorkflow's TaskDataEnvironment: a function would vanish
            raise ValueError(f"You have task data that overwrites a predefined function(s). Please change "
                             f"the following variable or field name(s) to something else: {clashes}")
        kept = self._contained(script, "exec", _executed, self.globals, script, context, external_context,
                               frozenset(hidden))
        for name in [name for name in context if name not in kept and not name.startswith("_")]:
            del context[name]
        context.update(kept)
        return True

    def _run(self, compiled: tuple[types.CodeType | None, tuple], context: dict,
             external: dict) -> tuple[Any, dict[str, Any]]:
        """Run compiled code under the guards in this process (tests use it to probe the run-time layer alone)."""
        return _run_code(self.globals, compiled, context, external)
