"""View-only models: well-formed BPMN 2.0 that cannot run (yet), stored to be seen and edited,
with the per-element report of why it cannot run."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Collection, Mapping

from engine.definitions.validation import validate_bundle
from engine.definitions.xmlsafe import UnsafeXml, parse_xml
from engine.errors import DefinitionInvalid, Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def model_processes(files: Mapping[str, bytes]) -> dict[str, tuple[str, str]]:
    """Every process of the bundle's diagrams: id -> (name, file). Refuses what is not well-formed
    BPMN 2.0 (each file named), since even a view-only model must open in the viewer."""
    problems: list[Problem] = []
    found: dict[str, tuple[str, str]] = {}
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        try:
            root = parse_xml(files[name], name).getroot()
        except UnsafeXml as exc:
            problems.append(Problem(name, "", "", exc.reason))
            continue
        if root.tag != f"{{{BPMN_NS}}}definitions":
            problems.append(Problem(name, "", "", "this is not a BPMN 2.0 file: its root element must be "
                                                  "bpmn:definitions in the BPMN 2.0 MODEL namespace"))
            continue
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            process_id = process.get("id")
            if process_id and process_id not in found:
                found[process_id] = (process.get("name") or process_id, name)
        if not any(v[1] == name for v in found.values()):
            problems.append(Problem(name, "", "", "the diagram holds no process with an id, so there is nothing to store"))
    if not any(n.endswith(".bpmn") for n in files):
        problems.append(Problem("", "", "", "a view-only model needs a .bpmn file"))
    if problems:
        raise DefinitionInvalid(problems)
    return found


def model_report(files: Mapping[str, bytes], operators: Collection[str]) -> list[Problem]:
    """Why the model cannot run, element by element: every validation problem, and each process
    that is marked not executable."""
    # The bundle-wide "no executable process" finding is said per process below, where it can be fixed.
    problems = [p for p in validate_bundle(files, operators)
                if p.file or p.element_id or "executable process" not in p.message]
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        for process in parse_xml(files[name], name).getroot().iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable", "false").lower() != "true":
                problems.append(Problem(name, process.get("id", ""), process.get("name", ""),
                                        'the process is marked isExecutable="false": mark it executable in the '
                                        "modeler (and fix any other problem listed) to deploy it as a version that runs"))
    return problems


def encode_report(problems: list[Problem]) -> str:
    return json.dumps([asdict(p) for p in problems], ensure_ascii=False)


def decode_report(text: str | None) -> list[Problem]:
    return [Problem(**entry) for entry in json.loads(text)] if text else []
