"""Which file of a stored version holds a process, a version's files with one diagram replaced, the decisions
its tables define, and new tables carried along until deployed."""
from __future__ import annotations

import re

from engine.errors import DefinitionInvalid, Problem
from engine.definitions.xmlsafe import UnsafeXml, parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_CARRIED = 20  # new tables one diagram carries along before it is deployed
NEW_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}\.dmn$")


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


def carried_tables(names: list[str], texts: list[str], files: dict[str, bytes]) -> dict[str, bytes]:
    """New decision tables a page carries along (name → DMN) until they are deployed with a diagram: only new
    .dmn files of a plain name, never one that would replace a file of the version."""
    if len(names) > MAX_CARRIED or len(names) != len(texts):
        raise DefinitionInvalid([Problem("", "", "", f"at most {MAX_CARRIED} new decision tables, each with its name")])
    carried: dict[str, bytes] = {}
    for name, text in zip(names, texts):
        base = name.rsplit("/", 1)[-1]
        if name in files or not NEW_TABLE_NAME.match(base) or ".." in name or name.startswith("/"):
            raise DefinitionInvalid([Problem(name, "", "", "a new decision table needs a new file name ending in "
                                                           ".dmn")])
        carried[name] = text.encode("utf-8")
    return carried
