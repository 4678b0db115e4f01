"""A new decision table for a version's bundle, drawn from the names an owner gives: a blank DMN table (file,
decision id and name, inputs as expressions, outputs as variable names) that opens in dmn-js and is deployed
with the version's other files like any edited table (issue 16, item 2)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.sax.saxutils import escape, quoteattr

from flask_babel import gettext as _

from engine.errors import InvalidInput, N_

from .bundles import NEW_TABLE_NAME as FILE_NAME, decision_ids

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


@dataclass(frozen=True)
class NewTable:
    """What the owner asked for, checked: where the file goes and the blank table's XML."""

    file: str
    xml: str


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def new_table(files: dict[str, bytes], main_file: str, file_name: str, decision_id: str, decision_name: str,
              inputs: list[str], outputs: list[str]) -> NewTable:
    """A blank table (no rules yet) with one column per input expression and per output name, stored beside
    the version's main diagram; refused, field by field, when a name is unusable or already taken."""
    errors: dict[str, list[str]] = {}
    file_name = file_name.strip()
    if not file_name.endswith(".dmn"):
        file_name += ".dmn"
    folder = str(PurePosixPath(main_file).parent) if main_file else "."
    path = file_name if folder in ("", ".") else f"{folder}/{file_name}"
    if not FILE_NAME.match(file_name):
        errors["file"] = [_("A file name of letters, digits, _ and -, ending in .dmn.")]
    elif path in files or any(PurePosixPath(name).name == file_name for name in files):
        errors["file"] = [_("This version already has a file %(name)s.", name=file_name)]
    if not IDENTIFIER.match(decision_id.strip()):
        errors["decision_id"] = [_("A decision id of letters, digits and _, not starting with a digit.")]
    elif decision_id.strip() in decision_ids(files):
        errors["decision_id"] = [_("This version already has a decision %(id)s.", id=decision_id.strip())]
    if not inputs:
        errors["inputs"] = [_("Name at least one input (an expression over the case data).")]
    if not outputs:
        errors["outputs"] = [_("Name at least one output (the variable the table sets).")]
    elif not all(IDENTIFIER.match(name) for name in outputs) or len(set(outputs)) != len(outputs):
        errors["outputs"] = [_("Outputs are variable names (letters, digits and _), each once.")]
    if errors:
        raise InvalidInput(N_("the new decision table has errors"), errors)
    return NewTable(path, blank_table(decision_id.strip(), decision_name.strip() or decision_id.strip(),
                                      inputs, outputs))


def blank_table(decision_id: str, name: str, inputs: list[str], outputs: list[str]) -> str:
    """DMN 1.3 as SpiffWorkflow reads it: a UNIQUE-hit decision table with typed string columns, no rules."""
    columns = [f'''      <input id="{decision_id}_input_{n}" label={quoteattr(expression)}>
        <inputExpression id="{decision_id}_input_{n}_expression" typeRef="string">
          <text>{escape(expression)}</text>
        </inputExpression>
      </input>''' for n, expression in enumerate(inputs, 1)]
    columns += [f'      <output id="{decision_id}_output_{output}" label="{output}" name="{output}" typeRef="string" />'
                for output in outputs]
    body = "\n".join(columns)
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN_NS}" id="{decision_id}_definitions" name={quoteattr(name)}
             namespace="http://casedesk.example/dmn">
  <decision id="{decision_id}" name={quoteattr(name)}>
    <decisionTable id="{decision_id}_table" hitPolicy="UNIQUE">
{body}
    </decisionTable>
  </decision>
</definitions>
'''
