"""Deploy problems in the page's language: the sentences of engine/definitions/owner_messages.py,
recognised in a stored English problem and translated; anything else is shown as it was recorded."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from engine.definitions.owner_messages import _SENTENCES
from engine.definitions.support import fixed_refusals, reference_refusals


def N_(message: str) -> str:
    """Marks a sentence for the translation catalogue (`make messages`)."""
    return message


# The engine's sentences with their subject and detail as placeholders, in the engine's order
# (tests/unit/test_owner_text.py fails when the two drift apart).
SENTENCES = (
    N_("This %(subject)s has more than one outgoing sequence flow, which a task cannot split. Draw a gateway after "
       "it (exclusive to choose one path, parallel to take all of them) and connect the flows to the gateway."),
    N_("This %(subject)s is a kind of element casedesk cannot run. Replace it with a supported element (see the "
       "table of BPMN elements in the README)."),
    N_("This %(subject)s leaves a gateway without a condition and is not the gateway's default flow. Give it a "
       "condition, or mark it as the gateway's default flow."),
    N_("This %(subject)s has no start event. Draw a start event where the process begins."),
    N_("This %(subject)s is a timer without a date, duration or cycle. Give the timer one, for example \"P3D\" for "
       "three days."),
    N_("This %(subject)s has a timer whose time cannot be read. Write it as an ISO 8601 date, duration or cycle in "
       "quotes, for example \"P3D\"."),
    N_("This %(subject)s is a conditional event without a condition. Write the condition that triggers it."),
    N_("This %(subject)s refers to a %(detail)s that is not defined in this file. Choose the %(detail)s in the "
       "modeler's properties panel."),
    N_("This %(subject)s loops without a maximum or a condition. Give the loop a condition or a maximum number of "
       "rounds."),
    N_("This %(subject)s is a multi-instance activity with both a cardinality and a collection. Keep only one of "
       "them."),
    N_("This %(subject)s is a multi-instance activity without a cardinality or a collection. Say how many instances "
       "to run (cardinality) or which list to run over (collection)."),
    N_("This %(subject)s is a multi-instance activity whose %(detail)s collection is not declared. Declare it in the "
       "activity's data."),
    N_("This %(subject)s is a cancel event outside a transaction. Use it only on a transaction subprocess, or use an "
       "error event."),
    N_("This %(subject)s is a subprocess that needs exactly one start event. Keep one start event inside it."),
    N_("This %(subject)s is a subprocess without an end event. Draw one inside it."),
    N_("This %(subject)s is a call activity that names no process. Choose the process it calls."),
    N_("This %(subject)s is a script task without a script. Write the script, or use another kind of task."),
    N_("This %(subject)s is a service task that names no service. Choose the service it calls in the properties "
       "panel."),
    N_("This %(subject)s uses the process id '%(detail)s', which another process of the bundle uses too. Give each "
       "process its own id."),
    N_("This %(subject)s is an ad-hoc subprocess with sequential ordering, which casedesk cannot run. Use parallel "
       "ordering or an ordinary subprocess."),
    N_("This %(subject)s is an ad-hoc subprocess with start or end events inside. Remove them: its tasks are started "
       "on demand."),
    N_("This %(subject)s has a data association to a data object that does not exist. Reconnect it or remove it."),
    N_("This %(subject)s holds no decision. Add a decision table, or leave the file out of the bundle."),
    N_("This %(subject)s holds more than one decision table; casedesk reads one per file. Put each decision table in "
       "its own file."),
    N_("This %(subject)s holds an element a decision table cannot have. Remove it."),
    N_("This %(subject)s has an output entry that is not a valid expression. Correct the entry."),
    N_("This %(subject)s calls the decision '%(detail)s', which no DMN file of the bundle defines. Add the DMN file, "
       "or choose a decision that exists."),
    N_("This %(subject)s defines a %(detail)s without an id. Give it an id in the modeler."),
    N_("This %(subject)s defines a correlation property without a retrieval expression. Say where in the message its "
       "value is."),
)
# What a sentence is about (owner_messages.kind_of_tag) and the details it names.
WORDS = {word: word for word in (
    N_("element"), N_("file"), N_("process"), N_("task"), N_("user task"), N_("service task"), N_("script task"),
    N_("manual task"), N_("send task"), N_("receive task"), N_("business rule task"), N_("call activity"),
    N_("sub process"), N_("transaction"), N_("ad hoc sub process"), N_("start event"), N_("end event"),
    N_("boundary event"), N_("intermediate catch event"), N_("intermediate throw event"), N_("exclusive gateway"),
    N_("parallel gateway"), N_("inclusive gateway"), N_("event based gateway"), N_("sequence flow"),
    N_("timer event definition"), N_("message"), N_("signal"), N_("error"), N_("escalation"), N_("decision"),
    N_("correlation"), N_("data store"), N_("input"), N_("output"),
)}


def _pattern(sentence: str) -> re.Pattern[str]:
    parts = re.split(r"(%\(\w+\)s)", sentence)
    seen: set[str] = set()
    out = []
    for part in parts:
        name = part[2:-2] if re.fullmatch(r"%\(\w+\)s", part) else None
        if name is None:
            out.append(re.escape(part))
        elif name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>.+?)")
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


_PATTERNS = tuple((_pattern(sentence), sentence) for sentence in SENTENCES)


# The refusals of elements casedesk does not run, as validation words them ("what. advice"): each part translated.
REFUSALS = {f"{what}. {advice}": (what, advice) for what, advice in fixed_refusals()}
# Those that name what the element lacks (a message, signal, escalation or error, and its id): matched whole.
_REFERENCE_PATTERNS = tuple((_pattern(f"{what}. {advice}"), what, advice) for what, advice in reference_refusals())


def owner_text(message: str) -> str:
    """A stored deploy problem in the page's language, when it is one of the engine's sentences."""
    if not message:
        return message
    if message in REFUSALS:
        what, advice = REFUSALS[message]
        return _("%(what)s. %(advice)s", what=_(what), advice=_(advice))
    for pattern, what, advice in _REFERENCE_PATTERNS:
        match = pattern.match(message)
        if match:
            values = match.groupdict()
            values["thing"] = _word(values["thing"])  # the reference is the diagram's own id: as it is
            return _("%(what)s. %(advice)s", what=_(what, **values), advice=_(advice, thing=values["thing"]))
    for pattern, sentence in _PATTERNS:
        match = pattern.match(message)
        if match:
            values = {name: _word(value) for name, value in match.groupdict().items()}
            return _(sentence, **values)
    # Half a translated sentence would mix languages: anything else stays as recorded.
    return _(message)


def _word(value: str) -> str:
    # Details come capitalised ("Message"); the lower-case word avoids the UI's own "Message" (a column).
    word = value.lower()
    return _(word) if word in WORDS else value


def engine_templates() -> list[str]:
    """The engine's sentences as this module spells them (for the test that keeps them in step)."""
    return ["This %(subject)s " + template.replace("\\1", "%(detail)s") for _pattern_, template in _SENTENCES]
