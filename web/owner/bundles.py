"""Which file of a stored version holds a process, and a version's files with one diagram replaced."""
from __future__ import annotations

from engine.errors import DefinitionInvalid, Problem
from engine.definitions.xmlsafe import UnsafeXml, parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def main_bpmn_file(files: dict[str, bytes], key: str) -> str:
    """The .bpmn file that defines process `key` (a version also holds the processes it calls)."""
    diagrams = sorted(name for name in files if name.endswith(".bpmn"))
    for name in diagrams:
        try:
            tree = parse_xml(files[name], name)
        except UnsafeXml:
            continue
        if tree.getroot().find(f"{{{BPMN_NS}}}process[@id='{key}']") is not None:
            return name
    return diagrams[0] if diagrams else ""


def replace_file(files: dict[str, bytes], name: str, text: str) -> dict[str, bytes]:
    """The version's files with `name` replaced by the edited text; refuses an empty diagram."""
    if not text.strip():
        raise DefinitionInvalid([Problem(name, "", "", "the edited diagram is empty")])
    return {**files, name: text.encode("utf-8")}


def decision_ids(files: dict[str, bytes]) -> list[str]:
    """The ids of the decisions a version's .dmn files define: what a business rule task may call."""
    found: set[str] = set()
    for name in sorted(n for n in files if n.endswith(".dmn")):
        try:
            root = parse_xml(files[name], name).getroot()
        except UnsafeXml:
            continue
        found.update(e.get("id") for e in root.iter() if isinstance(e.tag, str)
                     and e.tag.rsplit("}", 1)[-1] == "decision" and e.get("id"))
    return sorted(found)
