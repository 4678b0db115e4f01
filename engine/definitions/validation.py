"""Find every problem in a definition bundle before anything is stored or run."""
from __future__ import annotations

from typing import Any, Callable, Collection, Iterator, Mapping

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec, BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.specs.MultiChoice import MultiChoice

from engine.sandbox import policy as sandbox
from engine.errors import Problem, ScriptRejected
from engine.jobs.checks import job_problems
from engine.definitions.parsing import ParsedBundle, load_bundle, user_task_form
from engine.runtime.routing import EXPRESSION_PROPERTIES, task_properties
from forms.schema import FormSchemaError, load_json_object, load_schema

Checker = Callable[[str], list[ScriptRejected]]


def validate_bundle(files: Mapping[str, bytes], operators: Collection[str]) -> list[Problem]:
    """Every problem in the bundle; an empty list means it can be deployed."""
    bundle, problems = load_bundle(files)
    for spec in bundle.parsed_specs():
        problems.extend(_spec_problems(spec, bundle, files, set(operators)))
    for dmn_parser in bundle.decision_parsers():
        problems.extend(_decision_problems(dmn_parser))
    return list(dict.fromkeys(problems))  # one task spec can be reached twice (loop wrappers)


def _spec_problems(spec: BpmnProcessSpec, bundle: ParsedBundle,
                   files: Mapping[str, bytes], operators: set[str]) -> Iterator[Problem]:
    names = {ts.bpmn_id: ts.bpmn_name for ts in spec.task_specs.values() if getattr(ts, "bpmn_name", None)}
    if isinstance(spec, AdHocSubprocessSpec) and spec.completion_condition:
        yield from _checked(spec.file, spec.name, spec.description or "", spec.completion_condition,
                            sandbox.check_expression, "completion condition")
    for task_spec in spec.task_specs.values():
        element_id = getattr(task_spec, "bpmn_id", None)
        if element_id is None:
            continue  # the library's own start/end/join specs carry no user content
        element_name = getattr(task_spec, "bpmn_name", None) or names.get(element_id) or ""

        def check(source: str | None, checker: Checker, context: str = "") -> Iterator[Problem]:
            return _checked(spec.file, element_id, element_name, source, checker, context)

        if isinstance(task_spec, ScriptTask):
            if not (task_spec.script or "").strip():
                yield Problem(spec.file, element_id, element_name, "script task has no script")
            yield from check(task_spec.script, sandbox.check_script)
        yield from check(getattr(task_spec, "prescript", None), sandbox.check_script, "pre-script")
        yield from check(getattr(task_spec, "postscript", None), sandbox.check_script, "post-script")
        if isinstance(task_spec, MultiChoice):
            yield from _condition_problems(spec, task_spec, bundle, element_name)
        if isinstance(task_spec, StandardLoopTask):
            yield from check(task_spec.condition, sandbox.check_expression, "loop condition")
        if isinstance(task_spec, MultiInstanceTask):
            yield from check(task_spec.cardinality, sandbox.check_expression, "loop cardinality")
            yield from check(task_spec.condition, sandbox.check_expression, "completion condition")
        for context, expression in _event_expressions(getattr(task_spec, "event_definition", None)):
            yield from check(expression, sandbox.check_expression, context)
        if hasattr(task_spec, "operation_name"):
            if task_spec.operation_name not in operators:
                yield Problem(spec.file, element_id, element_name,
                              f"no handler registered for operator {task_spec.operation_name!r}")
            for param_name, param in (task_spec.operation_params or {}).items():
                yield from check(param.get("value"), sandbox.check_expression, f"parameter {param_name!r}")
        properties = task_properties(task_spec)
        for name in EXPRESSION_PROPERTIES:
            yield from check(properties.get(name), sandbox.check_expression, f"property {name!r}")
        for problem in _form_problems(task_spec, files):
            yield Problem(spec.file, element_id, element_name, problem)
        for problem in job_problems(task_spec):
            yield Problem(spec.file, element_id, element_name, problem)


def _condition_problems(spec: BpmnProcessSpec, gateway: Any, bundle: ParsedBundle,
                        gateway_name: str) -> Iterator[Problem]:
    for condition, _target in gateway.cond_task_specs:
        expression = condition.args[0] if condition is not None and condition.args else None
        if not isinstance(expression, str):
            continue
        flow = _flow_with_condition(bundle, spec.name, gateway.bpmn_id, expression)
        if flow is None:
            element_id, element_name = gateway.bpmn_id, gateway_name
        else:
            element_id, element_name = flow.get("id", ""), flow.get("name", "")
        yield from _checked(spec.file, element_id, element_name, expression, sandbox.check_expression, "condition")


def _flow_with_condition(bundle: ParsedBundle, process_id: str, source_id: str, expression: str) -> Any:
    # Specs keep a gateway's conditions but not the sequence flows they came from.
    process_parser = bundle.parser.process_parsers.get(process_id)
    if process_parser is None:
        return None
    for flow in process_parser.get_outgoing_sequence_flows(source_id):
        if process_parser.parse_condition(flow) == expression:
            return flow
    return None


def _event_expressions(event_definition: Any) -> Iterator[tuple[str, str]]:
    if event_definition is None:
        return
    if isinstance(event_definition, MultipleEventDefinition):
        for member in event_definition.event_definitions:
            yield from _event_expressions(member)
        return
    if getattr(event_definition, "expression", None):
        yield _event_expression_kind(event_definition), event_definition.expression
    correlations = [*getattr(event_definition, "correlation_properties", []),
                    *getattr(event_definition, "process_correlations", [])]
    for correlation in correlations:
        yield f"correlation {correlation.name!r}", correlation.retrieval_expression


def _event_expression_kind(event_definition: Any) -> str:
    if isinstance(event_definition, TimerEventDefinition):
        return "timer expression"
    if isinstance(event_definition, ConditionalEventDefinition):
        return "event condition"
    return "payload expression"


def _form_problems(task_spec: Any, files: Mapping[str, bytes]) -> Iterator[str]:
    schema_file, ui_schema_file = user_task_form(task_spec)
    for filename, loader in ((schema_file, load_schema), (ui_schema_file, load_json_object)):
        if not filename:
            continue
        if filename not in files:
            yield f"form file {filename!r} is not in the bundle"
            continue
        try:
            loader(files[filename], filename)
        except FormSchemaError as exc:
            yield f"form file {exc}"


def _decision_problems(dmn_parser: Any) -> Iterator[Problem]:
    decision = dmn_parser.decision
    if decision is None:
        return  # it failed to parse; load_bundle reported why
    filename = dmn_parser.filename or ""
    for table in decision.decisionTables:
        for column in table.inputs:
            yield from _checked(filename, column.id, column.label or column.name or "", column.expression,
                                sandbox.check_expression, "input expression")
        for rule in table.rules:
            for entry in rule.inputEntries:
                yield from _checked(filename, entry.id, _column_name(entry.input), _input_entry_expression(entry.text),
                                    sandbox.check_expression, f"rule {rule.row_number} input entry")
            for entry in rule.outputEntries:
                yield from _checked(filename, entry.id, _column_name(entry.output), entry.text,
                                    sandbox.check_expression, f"rule {rule.row_number} output entry")


def _column_name(column: Any) -> str:
    return column.label or column.name or column.id or ""


def _input_entry_expression(text: str | None) -> str | None:
    """The expression the DMN engine evaluates for an input entry, with the input as a name."""
    if text is None or text.strip() in ("", "-"):
        return None
    if "?" in text:
        return text.replace("?", "dmn_input")
    try:
        compile(text, "<dmn>", "eval")
        return text
    except SyntaxError:
        return f"dmn_input {text}"  # a bare comparison such as "< 1000"


def _checked(filename: str, element_id: str, element_name: str, source: str | None,
             checker: Checker, context: str = "") -> Iterator[Problem]:
    if source is None or not source.strip():
        return
    prefix = f"{context}: " if context else ""
    try:
        rejections = checker(source)
    except SyntaxError as exc:  # in case the sandbox lets the parser's error through
        rejections = [ScriptRejected(f"syntax error: {exc.msg}", exc.lineno)]
    for rejection in rejections:
        yield Problem(filename, element_id, element_name, f"{prefix}{rejection}")
