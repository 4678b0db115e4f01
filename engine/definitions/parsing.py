"""Build SpiffWorkflow process specs from an in-memory bundle of BPMN, DMN and form files."""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH as BPMN_XSD, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.parser.node_parser import DEFAULT_NSMAP
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import SPIFF_XSD, SpiffBpmnParser

from engine.errors import DefinitionInvalid, Problem
from engine.definitions.owner_messages import FIX_IN_MODELER, element_label, kind_of_tag, owner_sentence, plain
from engine.definitions.links import with_links_connected
from engine.definitions.multi_instance import PARSER_OVERRIDES as MULTI_INSTANCE_PARSER_OVERRIDES
from engine.definitions.signal_events import PARSER_OVERRIDES as SIGNAL_PARSER_OVERRIDES
from engine.definitions.timer_events import PARSER_OVERRIDES as TIMER_PARSER_OVERRIDES
from engine.definitions.xmlsafe import UnsafeXml, parse_xml

BPMN_SUFFIX = ".bpmn"
DMN_SUFFIX = ".dmn"
FORM_SCHEMA_PROPERTY = "formJsonSchemaFilename"
FORM_UI_SCHEMA_PROPERTY = "formUiSchemaFilename"
_BPMN_PROCESS_TAG = f"{{{DEFAULT_NSMAP['bpmn']}}}process"
_MALFORMED_AT = re.compile(r"not well-formed XML: line (\d+)")


class SchemaViolations(ValidationException):
    """Every XSD error of one file, not just the last one the library would report."""

    def __init__(self, filename: str, problems: list[Problem]):
        super().__init__(f"{len(problems)} XSD violation(s)", file_name=filename)
        self.problems = problems


class CollectingValidator(BpmnValidator):
    """The library's XSD validator, reporting all violations with the offending element."""

    def __init__(self, xsd_path: str, imports: dict[str, str] | None = None):
        super().__init__(xsd_path, imports)
        # An lxml XMLSchema keeps its error log on itself, so concurrent validations would mix.
        self._lock = threading.Lock()

    def validate(self, bpmn: Any, filename: str | None = None) -> None:
        self.preprocess(bpmn)
        with self._lock:
            valid = self.validator.validate(bpmn)
            errors = list(self.validator.error_log)
        if not valid:
            tree = bpmn.getroottree() if hasattr(bpmn, "getroottree") else bpmn
            problems = [_xsd_problem(tree, filename or "", error) for error in errors]
            raise SchemaViolations(filename or "", problems or [Problem(filename or "", "", "", "XSD invalid")])


@functools.cache
def bpmn_validator() -> CollectingValidator:
    # Compiling the BPMN XSD takes a noticeable moment; do it once per process.
    return CollectingValidator(BPMN_XSD, {"spiffworkflow": SPIFF_XSD})


def dmn_validator(namespace: str) -> CollectingValidator | None:
    """The validator for a DMN version's namespace, or None for a version the library lacks."""
    xsd_path = DMN_SCHEMAS.get(namespace)
    # Cached by schema path, not by the namespace an upload claims, so the cache stays bounded.
    return None if xsd_path is None else _dmn_validator_for(xsd_path)


@functools.cache
def _dmn_validator_for(xsd_path: str) -> CollectingValidator:
    return CollectingValidator(xsd_path)


class CasedeskParser(SpiffBpmnParser):
    """Spiff parser with XSD validation of BPMN and DMN, reporting every violation."""

    # Timers read the step's recorded clock instead of the wall clock (engine/definitions/timer_events.py).
    # Signal end events throw their signal (engine/definitions/signal_events.py).
    # A multi-instance input item stays in its instance (engine/definitions/multi_instance.py).
    OVERRIDE_PARSER_CLASSES = {**SpiffBpmnParser.OVERRIDE_PARSER_CLASSES, **MULTI_INSTANCE_PARSER_OVERRIDES,
                               **TIMER_PARSER_OVERRIDES, **SIGNAL_PARSER_OVERRIDES}

    def __init__(self) -> None:
        super().__init__(validator=bpmn_validator())
        # DMN validation happens in add_dmn_xml with cached validators, so the library's
        # per-call validator construction is switched off.
        self.dmn_schemas: dict[str, Any] = {}

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        # Link events continue at their catching link (engine/definitions/links.py).
        super().add_bpmn_xml(with_links_connected(bpmn), filename=filename)

    def add_dmn_xml(self, node: Any, filename: str | None = None, validate: bool = True) -> None:
        """`validate=False` reads a file the XSD refused anyway, so that the report also holds its other problems."""
        default_namespace = node.nsmap.get(None) or node.nsmap.get("dmn")
        validator = dmn_validator(default_namespace or "")
        if validator is None:
            raise ValidationException(f"unsupported DMN namespace {default_namespace!r}", file_name=filename)
        if validate:
            validator.validate(node, filename)
        super().add_dmn_xml(node, filename)

    def add_unvalidated_bpmn_xml(self, bpmn: Any, filename: str) -> None:
        """Load a file that failed the XSD anyway, so that its other problems are found in the same report."""
        validator, self.validator = self.validator, None
        try:
            self.add_bpmn_xml(bpmn, filename=filename)
        finally:
            self.validator = validator


@dataclass
class ParsedBundle:
    """The parsed processes and decisions of one bundle, with what each process depends on."""

    parser: CasedeskParser
    files: Mapping[str, bytes]
    process_files: dict[str, str]  # top-level process id -> its BPMN file
    decision_files: dict[str, str]  # decision id -> its DMN file
    trees: dict[str, etree._ElementTree] = field(default_factory=dict)  # every well-formed file by name

    def process_keys(self) -> list[str]:
        """Executable top-level processes, any of which can be started."""
        return sorted(key for key in self.process_files if self.parser.process_parsers[key].process_executable)

    def spec(self, key: str) -> BpmnProcessSpec:
        return self.parser.get_spec(key)

    def subprocess_specs(self, key: str) -> dict[str, BpmnProcessSpec]:
        return self.parser.get_subprocess_specs(key)

    def parsed_specs(self) -> list[BpmnProcessSpec]:
        """Every process and embedded subprocess spec parsed so far, complete or not."""
        return [p.spec for p in self.parser.process_parsers.values() if p.spec is not None]

    def files_for(self, key: str) -> set[str]:
        """Names of the bundle files this process's version depends on, across called processes."""
        specs = [self.spec(key), *self.subprocess_specs(key).values()]
        names: set[str] = set()
        for spec in specs:
            if spec is None:
                continue
            names.add(spec.file)
            for task_spec in spec.task_specs.values():
                extensions = getattr(task_spec, "extensions", None) or {}
                decision_file = self.decision_files.get(extensions.get("calledDecisionId") or "")
                if decision_file is not None:
                    names.add(decision_file)
                names.update(name for name in user_task_form(task_spec) if name)
        return names

    def decision_parsers(self) -> Iterable[Any]:
        return self.parser.dmn_parsers.values()


def user_task_form(task_spec: Any) -> tuple[str | None, str | None]:
    """(JSON schema file, UI schema file) named by a task's spiff properties.

    The names are bundle keys as written: form files live in one flat namespace by base name.
    """
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return properties.get(FORM_SCHEMA_PROPERTY), properties.get(FORM_UI_SCHEMA_PROPERTY)


def parse_bundle(files: Mapping[str, bytes]) -> ParsedBundle:
    """Parse every BPMN and DMN file; raise DefinitionInvalid listing every problem found."""
    bundle, problems = load_bundle(files)
    if problems:
        raise DefinitionInvalid(list(dict.fromkeys(problems)))
    return bundle


def load_bundle(files: Mapping[str, bytes]) -> tuple[ParsedBundle, list[Problem]]:
    """Parse as much of the bundle as possible, returning it with the problems met on the way."""
    parser = CasedeskParser()
    problems: list[Problem] = []
    process_files: dict[str, str] = {}
    decision_files: dict[str, str] = {}
    unloadable_processes: set[str] = set()
    trees: dict[str, etree._ElementTree] = {}
    schema_problems: set[Problem] = set()  # what the XSD said about files that were then read anyway

    for name in sorted(n for n in files if n.endswith(BPMN_SUFFIX)):
        tree = _safe_tree(files[name], name, problems)
        if tree is None:
            continue
        trees[name] = tree
        process_ids = [p.get("id") for p in tree.getroot().iter(_BPMN_PROCESS_TAG)]
        found = len(problems)
        loaded = _add_file(lambda: parser.add_bpmn_xml(tree, filename=name), name, problems)
        if not loaded and all(p.file == name for p in problems[found:]):
            # The XSD refused the file; read it anyway so the report also holds its other problems.
            schema_problems.update(problems[found:])
            loaded = _add_file(lambda: parser.add_unvalidated_bpmn_xml(tree, name), name, problems)
        if loaded:
            process_files.update({pid: name for pid in process_ids if pid in parser.process_parsers})
        else:
            unloadable_processes.update(process_ids)

    for name in sorted(n for n in files if n.endswith(DMN_SUFFIX)):
        tree = _safe_tree(files[name], name, problems)
        if tree is None:
            continue
        trees[name] = tree
        found = len(problems)
        if not _add_file(lambda: _add_decision(parser, tree, name, decision_files), name, problems) \
                and all(p.file == name and p.message.startswith("line ") for p in problems[found:]):
            # The XSD refused it: read it anyway, so its decision is not reported missing where it is called.
            schema_problems.update(problems[found:])
            _add_file(lambda: _add_decision(parser, tree, name, decision_files, validate=False), name, problems)

    for key in sorted(process_files):
        if parser.process_parsers[key].process_executable:
            _parse_process(parser, key, process_files[key], unloadable_processes, problems)

    bundle = ParsedBundle(parser, files, process_files, decision_files, trees)
    if not bundle.process_keys() and not unloadable_processes and not problems:
        problems.append(Problem("", "", "", "The bundle has no executable process. Add a BPMN file with a "
                                            "process marked executable."))
    # A file the XSD refused, read anyway, can trip the parser again at the same element: say it once.
    flagged = {(p.file, p.element_id) for p in schema_problems}
    return bundle, [p for p in problems if p in schema_problems or (p.file, p.element_id) not in flagged]


def _safe_tree(data: bytes, name: str, problems: list[Problem]) -> etree._ElementTree | None:
    try:
        return parse_xml(data, name)
    except UnsafeXml as exc:
        problems.append(_unreadable_file_problem(data, name, exc.reason))
        return None


def _unreadable_file_problem(data: bytes, name: str, reason: str) -> Problem:
    line = _MALFORMED_AT.match(reason)
    if line is None:  # refused before reading (DOCTYPE, size): nothing in the file is trusted
        return Problem(name, "", "", f"{reason}. Export the diagram again from the modeler and deploy that file.")
    element = element_near_line(data, int(line.group(1)))
    advice = "Open the file in the modeler or an XML editor, repair the markup, and deploy again."
    if element is None:
        return Problem(name, "", "", f"{reason}. {advice}")
    return Problem(name, element.get("id"), element_label(element), f"{reason} (near this element). {advice}")


def element_near_line(data: bytes, line: int) -> Any:
    """The last element with an id that starts at or before `line`, read by a forgiving parse (already
    checked for DOCTYPE and size, so nothing expands), or None."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    before = [e for e in root.iter() if isinstance(e.tag, str) and e.get("id") and (e.sourceline or 0) <= line]
    return before[-1] if before else None


def _add_file(action: Any, name: str, problems: list[Problem]) -> bool:
    try:
        action()
        return True
    except SchemaViolations as exc:
        problems.extend(exc.problems)
    except ValidationException as exc:
        problems.append(library_problem(exc, name))
    except Exception as exc:  # the library trips over malformed content in many ways
        problems.append(Problem(name, "", "", f"This file could not be read: {plain(str(exc)) or 'unknown cause'}. "
                                              f"{FIX_IN_MODELER}"))
    return False


def library_problem(exc: ValidationException, filename: str) -> Problem:
    """The parser's refusal as a problem an owner can act on: where, what is wrong, what to do."""
    message = str(exc.args[0]) if exc.args else ""
    subject = kind_of_tag(exc.tag) if getattr(exc, "tag", "") else ("element" if exc.id else "file")
    sentence = owner_sentence(message, subject)
    sentence = f"line {exc.line_number}: {sentence}" if exc.line_number else sentence
    return Problem(exc.file_name or filename, exc.id or "", exc.name or "", sentence)


def _add_decision(parser: CasedeskParser, tree: etree._ElementTree, name: str, decision_files: dict[str, str],
                  validate: bool = True) -> None:
    decision_id = _decision_id(tree)
    if decision_id in decision_files:
        raise ValidationException(f"decision {decision_id!r} is also defined in {decision_files[decision_id]}. "
                                  f"Give each decision its own id, or deploy only one of the files.",
                                  file_name=name, id=decision_id)
    parser.add_dmn_xml(tree.getroot(), filename=name, validate=validate)
    decision_files[decision_id] = name
    parser.dmn_parsers[decision_id].parse()  # the library parses lazily; surface errors now


def _decision_id(tree: etree._ElementTree) -> str:
    decision = next((e for e in tree.getroot() if etree.QName(e).localname == "decision"), None)
    if decision is None or not decision.get("id"):
        raise ValidationException("The DMN file has no decision with an id. Give its decision an id in the modeler.")
    return decision.get("id")


def _parse_process(parser: CasedeskParser, key: str, filename: str,
                   unloadable_processes: set[str], problems: list[Problem]) -> None:
    # Walk subprocesses ourselves: the library's get_subprocess_specs raises on the first
    # missing callee without saying which task called it.
    pending, seen = [key], {key}
    while pending:
        process_key = pending.pop()
        process_parser = parser.process_parsers[process_key]
        process_file = process_parser.filename or filename
        if not _add_file(lambda: parser.get_spec(process_key), process_file, problems):
            _parse_remaining_nodes(process_parser, process_file, problems)
            if process_parser.spec is None:
                continue
        for task_spec in list(process_parser.spec.task_specs.values()):
            if not isinstance(task_spec, SubWorkflowTask) or task_spec.spec in seen:
                continue
            target = parser.process_parsers.get(task_spec.spec)
            if isinstance(task_spec, CallActivity) and (target is None or not target.process_executable):
                # A callee whose own file failed to load has had its problems reported already.
                if target is not None or task_spec.spec not in unloadable_processes:
                    reason = ("not in the bundle. Add the file that defines it, or call a process that exists"
                              if target is None else
                              "not executable. Mark that process executable, or call another one")
                    problems.append(Problem(process_file, task_spec.bpmn_id, task_spec.bpmn_name or "",
                                            f"calls process {task_spec.spec!r}, which is {reason}."))
            elif target is not None:
                seen.add(task_spec.spec)
                pending.append(task_spec.spec)


def _parse_remaining_nodes(process_parser: Any, filename: str, problems: list[Problem]) -> None:
    """The library stops a process at its first problem; parse each node it did not reach for the others."""
    if process_parser.spec is None:
        return
    for node in process_parser.node:
        if not isinstance(node.tag, str) or node.tag not in process_parser.parser.PARSER_CLASSES:
            continue
        # Boundary events are parsed with the activity they are attached to.
        if etree.QName(node).localname == "boundaryEvent" or node.get("id") in process_parser.spec.task_specs:
            continue
        _add_file(lambda: process_parser.parse_node(node), filename, problems)


def _xsd_problem(tree: Any, filename: str, error: Any) -> Problem:
    element = _element_at(tree, error.path, error.line)
    # The diagram element, not an extension inside it (a service operator's own id names no shape).
    model_namespace = etree.QName(tree.getroot()).namespace
    while element is not None and (element.get("id") is None or etree.QName(element).namespace != model_namespace):
        element = element.getparent()
    element_id = element.get("id", "") if element is not None else ""
    element_name = element_label(element) if element is not None else ""
    message = _short_names(error.message, tree.getroot().nsmap).rstrip(".")
    return Problem(filename, element_id, element_name, f"line {error.line}: {message}. The file does not follow "
                                                       f"the BPMN/DMN standard here. {FIX_IN_MODELER}")


def _element_at(tree: Any, path: str | None, line: int) -> Any:
    root = tree.getroot()
    prefixes = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    try:
        found = tree.xpath(path, namespaces=prefixes) if path else []
    except etree.XPathError:
        found = []
    if found and isinstance(found[0], etree._Element):
        return found[0]
    on_line = [e for e in root.iter() if isinstance(e.tag, str) and e.sourceline == line]
    return on_line[-1] if on_line else None


def _short_names(message: str, nsmap: Mapping[str | None, str]) -> str:
    # XSD messages spell every tag as {namespace-uri}name; the document's own prefixes read better.
    for prefix, uri in nsmap.items():
        message = message.replace(f"{{{uri}}}", f"{prefix}:" if prefix else "")
    return message
