"""Find every problem in a definition bundle before anything is stored or run."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec, BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity

from engine.sandbox import policy as sandbox
from engine.errors import Problem, ScriptRejected
from engine.jobs.checks import job_problems
from engine.definitions.calls import binding_problem
from engine.definitions.owner_messages import element_label
from engine.definitions.parsing import ParsedBundle, load_bundle, user_task_form
from engine.definitions.support import element_support_problems, refusals_supersede
from engine.runtime.instructions import task_instructions, template_problem
from engine.runtime.routing import EXPRESSION_PROPERTIES, task_properties
from forms.schema import FormSchemaError, load_json_object, load_schema

Checker = Callable[[str], list[ScriptRejected]]
SCRIPT_ADVICE = "Correct the script: it may use the task data and the names the README lists under Sandbox."
EXPRESSION_ADVICE = "Correct the expression: it may use the task data and the names the README lists under Sandbox."


@dataclass(frozen=True)
class BundleUnderReview:
    """What every problem producer looks at: the bundle as far as it parsed, its files, the installed handlers."""

    bundle: ParsedBundle
    files: Mapping[str, bytes]
    operators: frozenset[str]


ProblemProducer = Callable[[BundleUnderReview], Iterable[Problem]]


def validate_bundle(files: Mapping[str, bytes], operators: Collection[str]) -> list[Problem]:
    """Every problem in the bundle, all at once; an empty list means it can be deployed."""
    bundle, problems = load_bundle(files)
    review = BundleUnderReview(bundle, files, frozenset(operators))
    for produce in problem_producers():
        problems.extend(produce(review))
    problems = refusals_supersede(problems)
    # One task spec can be reached twice (loop wrappers); an unnamed element is named by its kind.
    named = [_named(problem, bundle) for problem in dict.fromkeys(problems)]
    return sorted(named, key=lambda problem: problem.file)  # stable: each file's problems in the order found


def problem_producers() -> list[ProblemProducer]:
    """The checks run after parsing, each finding its own kind of problem in the whole bundle."""
    return [process_problems, condition_problems, instruction_problems, decision_problems, element_support_problems,
            call_binding_problems]


def call_binding_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """Every call activity's calledElementBinding (and calledElementVersion) must say something the engine does."""
    for spec in review.bundle.parsed_specs():
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, CallActivity):
                problem = binding_problem(task_spec)
                if problem is not None:
                    yield Problem(spec.file, task_spec.bpmn_id, getattr(task_spec, "bpmn_name", None) or "", problem)


def process_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """Scripts, expressions, forms and handlers of every parsed process and subprocess."""
    for spec in review.bundle.parsed_specs():
        yield from _spec_problems(spec, review.bundle, review.files, review.operators)


def condition_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """The condition of every sequence flow, read from the diagram: a gateway the parser gave up on still counts."""
    for process_parser in list(review.bundle.parser.process_parsers.values()):
        for flow in process_parser.xpath("./bpmn:sequenceFlow"):
            yield from _checked(process_parser.filename or "", flow.get("id", ""), flow.get("name", ""),
                                process_parser.parse_condition(flow), sandbox.check_expression, "condition")


def instruction_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """Every task's instructionsForEndUser must be a Jinja2 template that compiles."""
    for spec in review.bundle.parsed_specs():
        for task_spec in spec.task_specs.values():
            problem = template_problem(task_instructions(task_spec))
            if problem is not None and getattr(task_spec, "bpmn_id", None):
                yield Problem(spec.file, task_spec.bpmn_id, getattr(task_spec, "bpmn_name", None) or "",
                              f"instructions: {problem.rstrip('.')}. Correct the template: it writes task data as "
                              f"{{{{ name }}}} and may use {{% if %}} and {{% for %}} blocks.")


def decision_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """Expressions of every decision table."""
    for dmn_parser in review.bundle.decision_parsers():
        yield from _decision_problems(dmn_parser)


def _named(problem: Problem, bundle: ParsedBundle) -> Problem:
    if not problem.element_id or problem.element_name:
        return problem
    tree = bundle.trees.get(problem.file)
    found = tree.getroot().xpath("//*[@id=$id]", id=problem.element_id) if tree is not None else []
    label = element_label(found[0]) if found else f"unnamed element {problem.element_id}"
    return Problem(problem.file, problem.element_id, label, problem.message)


def _spec_problems(spec: BpmnProcessSpec, bundle: ParsedBundle,
                   files: Mapping[str, bytes], operators: Collection[str]) -> Iterator[Problem]:
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
                yield Problem(spec.file, element_id, element_name,
                              "This script task has no script. Write the script, or use another kind of task.")
            yield from check(task_spec.script, sandbox.check_script)
        yield from check(getattr(task_spec, "prescript", None), sandbox.check_script, "pre-script")
        yield from check(getattr(task_spec, "postscript", None), sandbox.check_script, "post-script")
        if isinstance(task_spec, StandardLoopTask):
            yield from check(task_spec.condition, sandbox.check_expression, "loop condition")
        if isinstance(task_spec, MultiInstanceTask):
            yield from check(task_spec.cardinality, sandbox.check_expression, "loop cardinality")
            yield from check(task_spec.condition, sandbox.check_expression, "completion condition")
        for context, expression in _event_expressions(getattr(task_spec, "event_definition", None)):
            yield from check(expression, sandbox.check_expression, context)
        if hasattr(task_spec, "operation_name"):
            if task_spec.operation_name not in operators:
                choice = f"Choose one it has ({', '.join(sorted(operators))}), or ask" if operators else "Ask"
                yield Problem(spec.file, element_id, element_name,
                              f"no handler registered for operator {task_spec.operation_name!r}: this server cannot "
                              f"run that service. {choice} an administrator to install a handler for it.")
            for param_name, param in (task_spec.operation_params or {}).items():
                yield from check(param.get("value"), sandbox.check_expression, f"parameter {param_name!r}")
        properties = task_properties(task_spec)
        for name in EXPRESSION_PROPERTIES:
            yield from check(properties.get(name), sandbox.check_expression, f"property {name!r}")
        for problem in _form_problems(task_spec, files):
            yield Problem(spec.file, element_id, element_name, problem)
        for problem in job_problems(task_spec):
            yield Problem(spec.file, element_id, element_name, problem)


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
            yield (f"form file {filename!r} is not in the bundle. Add the form file to the deployment, "
                   f"or correct the file name in the task's properties.")
            continue
        try:
            loader(files[filename], filename)
        except FormSchemaError as exc:
            yield f"form file {str(exc).rstrip('.')}. Correct the form file and deploy again."


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
    advice = SCRIPT_ADVICE if checker is sandbox.check_script else EXPRESSION_ADVICE
    try:
        rejections = checker(source)
    except SyntaxError as exc:  # in case the sandbox lets the parser's error through
        rejections = [ScriptRejected(f"syntax error: {exc.msg}", exc.lineno)]
    for rejection in rejections:
        yield Problem(filename, element_id, element_name, f"{prefix}{str(rejection).rstrip('.')}. {advice}")
