"""Which BPMN 2.0 elements casedesk runs, and the sentence that refuses the others at deploy.

One rule: an element either runs as BPMN 2.0 says (a test in tests/bpmn/ proves it; the README's
"BPMN elements" table names the test) or a deploy refuses it here, by element, in words a
process owner understands. Nothing deploys that would then hang, skip or falsely complete.

The tables are keyed by how a diagram spells the element: its tag, or the tag of the event
definition inside an event. Only the refused kinds are listed; everything else the parser
accepts runs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from lxml import etree

from engine.definitions.links import link_problems
from engine.errors import N_, Problem

if TYPE_CHECKING:  # validation imports this module; the hook's argument type only
    from engine.definitions.validation import BundleUnderReview

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# Elements refused whatever they contain: tag -> (what is wrong, what to do).
REFUSED_ELEMENTS: dict[str, tuple[str, str]] = {
    "adHocSubProcess": (
        N_("casedesk does not run ad-hoc subprocesses (staff choosing which inner tasks to do, in any order)"),
        N_("Draw the inner tasks as an ordinary subprocess, for example behind an inclusive gateway "
           "whose conditions say which tasks are needed."),
    ),
    "transaction": (
        N_("casedesk does not run transaction subprocesses (they roll back through compensation and cancel events)"),
        N_("Use an ordinary subprocess, with an error boundary event for the failure path."),
    ),
    "complexGateway": (
        N_("casedesk does not run complex gateways"),
        N_("Use an inclusive gateway with a condition on each outgoing flow, or an exclusive or parallel gateway."),
    ),
}

# Event definitions refused on any event that carries them.
REFUSED_EVENT_DEFINITIONS: dict[str, tuple[str, str]] = {
    "compensateEventDefinition": (
        N_("casedesk does not run compensation (undoing completed work through compensation events)"),
        N_("Model the undo steps as ordinary tasks on an error or escalation path."),
    ),
    "cancelEventDefinition": (
        N_("casedesk does not run cancel events (they belong to transaction subprocesses)"),
        N_("Use an error end event and an error boundary event instead."),
    ),
}

EMPTY_CONDITION = (
    N_("this conditional event has an empty condition, so it could never become true"),
    N_("Write the condition over the case data, for example amount > 1000."),
)

REFUSAL_MARKERS = ("casedesk does not run", "this activity is marked as a compensation handler", "this element names",
                   "this conditional event has an empty condition")

# SpiffWorkflow 3.2 never interrupts the enclosing process for an interrupting event subprocess (the
# default), never starts one with a conditional start event, and starts signal and message ones only
# inside the instance that threw the event.
EVENT_SUBPROCESS = (
    N_("casedesk does not run event subprocesses (a subprocess started by an event while the process runs)"),
    N_("Put the work the event may interrupt into an ordinary subprocess and attach a boundary event of the same "
       "kind (error, escalation, timer, message, signal or conditional) to it, leading to the steps this event "
       "subprocess holds."),
)

# A process (or subprocess) whose start waits for a condition: no instance exists yet to hold the data the
# condition reads, so nothing would ever evaluate it again.
CONDITIONAL_START = (
    N_("casedesk does not run conditional start events (nothing exists yet whose data the condition could read)"),
    N_("Start the process with a none, timer, message or signal start event and let it wait for the condition "
       "at an intermediate conditional event."),
)

COMPENSATION_ACTIVITY = (
    N_("this activity is marked as a compensation handler (isForCompensation), and casedesk does not run "
       "compensation"),
    N_("Remove the compensation marker and model the undo steps as ordinary tasks on an error or escalation path."),
)


def fixed_refusals() -> list[tuple[str, str]]:
    """The refusals above that name nothing of the diagram: (what is wrong, what to do), each a sentence the
    owner pages translate (web/owner_text.py)."""
    return [*REFUSED_ELEMENTS.values(), *REFUSED_EVENT_DEFINITIONS.values(), EVENT_SUBPROCESS, CONDITIONAL_START,
            COMPENSATION_ACTIVITY, SEVERAL_SIGNALS, CYCLE_BRANCH, EMPTY_CONDITION]


def element_support_problems(review: BundleUnderReview) -> Iterator[Problem]:
    """One problem per element of a kind casedesk refuses, in every well-formed file of the bundle."""
    for filename, tree in review.bundle.trees.items():
        yield from refused_elements(filename, tree)
        yield from link_problems(filename, tree)
        yield from gateways_waiting_for_several_signals(filename, tree)
        yield from gateway_branches_with_cycles(filename, tree)
        yield from missing_references(filename, tree)


def refusals_supersede(problems: list[Problem]) -> list[Problem]:
    """Drop what the parser said about an element that is refused anyway: the refusal says it plainly."""
    refused = {(p.file, p.element_id) for p in problems if p.message.startswith(REFUSAL_MARKERS)}
    return [p for p in problems
            if (p.file, p.element_id) not in refused or p.message.startswith(REFUSAL_MARKERS)]


def refused_elements(filename: str, tree: etree._ElementTree) -> Iterator[Problem]:
    for element in tree.getroot().iter(f"{{{BPMN_MODEL}}}*"):
        kind = etree.QName(element).localname
        refusal = REFUSED_ELEMENTS.get(kind)
        if refusal is None and kind == "subProcess" and element.get("triggeredByEvent") == "true":
            refusal = EVENT_SUBPROCESS
        if refusal is None and kind == "startEvent" and _has_definition(element, "conditionalEventDefinition") \
                and element.getparent().get("triggeredByEvent") != "true":  # the event subprocess says it
            refusal = CONDITIONAL_START
        if refusal is None and element.get("isForCompensation") == "true":
            refusal = COMPENSATION_ACTIVITY
        if refusal is not None:
            yield _problem(filename, element, refusal)
            continue
        for definition in element.iterchildren(f"{{{BPMN_MODEL}}}*"):
            refusal = REFUSED_EVENT_DEFINITIONS.get(etree.QName(definition).localname)
            if refusal is not None:
                yield _problem(filename, element, refusal)


SEVERAL_SIGNALS = (
    N_("casedesk does not run an event-based gateway that waits for two different signals: a signal from another "
       "case would reach it only by the first one"),
    N_("Keep one signal per event-based gateway (another branch may wait for a message or a timer), or wait for "
       "the second signal at a boundary event."),
)


CYCLE_BRANCH = (
    N_("casedesk does not run a repeating timer (timeCycle) as a branch of an event-based gateway: the branch "
       "that wins the race happens once"),
    N_("Give this timer a duration (timeDuration) or a date (timeDate); to remind repeatedly, loop back to the "
       "gateway after the timer."),
)


def _gateway_branches(root: etree._Element) -> Iterator[tuple[etree._Element, list[etree._Element]]]:
    """Each event-based gateway with the events its outgoing flows lead to."""
    by_id = {e.get("id"): e for e in root.iter(f"{{{BPMN_MODEL}}}*") if e.get("id")}
    for gateway in root.iter(f"{{{BPMN_MODEL}}}eventBasedGateway"):
        targets = []
        for outgoing in gateway.iterchildren(f"{{{BPMN_MODEL}}}outgoing"):
            flow = by_id.get((outgoing.text or "").strip())
            target = by_id.get(flow.get("targetRef")) if flow is not None else None
            if target is not None:
                targets.append(target)
        yield gateway, targets


def gateways_waiting_for_several_signals(filename: str, tree: etree._ElementTree) -> Iterator[Problem]:
    for gateway, targets in _gateway_branches(tree.getroot()):
        signals = set()
        for target in targets:
            definition = target.find(f"{{{BPMN_MODEL}}}signalEventDefinition")
            if definition is not None:
                signals.add(definition.get("signalRef") or target.get("id"))
        if len(signals) > 1:
            yield _problem(filename, gateway, SEVERAL_SIGNALS)


def gateway_branches_with_cycles(filename: str, tree: etree._ElementTree) -> Iterator[Problem]:
    for _gateway, targets in _gateway_branches(tree.getroot()):
        for target in targets:
            timer = target.find(f"{{{BPMN_MODEL}}}timerEventDefinition")
            if timer is not None and timer.find(f"{{{BPMN_MODEL}}}timeCycle") is not None:
                yield _problem(filename, target, CYCLE_BRANCH)


CATCHING = {"startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask"}
# Event definition (or task) -> the attribute naming what it sends or waits for, and that thing's tag.
REFERENCES = {"messageEventDefinition": ("messageRef", "message"), "signalEventDefinition": ("signalRef", "signal"),
              "escalationEventDefinition": ("escalationRef", "escalation"), "errorEventDefinition": ("errorRef", "error"),
              "receiveTask": ("messageRef", "message"), "sendTask": ("messageRef", "message")}
# A catching error or escalation event without a reference catches every one (BPMN); a thrown error without one is
# an error without a code, which a catch-all boundary catches. Everything else must name what it sends or waits for.
MAY_OMIT = {("errorEventDefinition", True), ("errorEventDefinition", False), ("escalationEventDefinition", True)}


# What missing_references() says, keyed by (names something, catches): templates whose `thing` is message,
# signal, escalation or error and whose `reference` is the id the element names; the owner pages translate them.
_REFERENCE_REFUSALS = {
    (False, True): N_("this element names no %(thing)s: nothing could ever reach it, and the case would wait here "
                      "for ever"),
    (False, False): N_("this element names no %(thing)s: casedesk would not know which %(thing)s to send"),
    (True, True): N_("this element names the %(thing)s '%(reference)s', which this file does not define: nothing "
                     "could ever reach it, and the case would wait here for ever"),
    (True, False): N_("this element names the %(thing)s '%(reference)s', which this file does not define: "
                      "casedesk would not know which %(thing)s to send"),
}
CHOOSE_THE_THING = N_("Choose the %(thing)s in the modeler's properties panel, or create one there.")


def reference_refusals() -> list[tuple[str, str]]:
    """The refusals of an element naming no message, signal, escalation or error, or one its file does not
    define: (what is wrong, what to do) as templates with the parameters `thing` and `reference`."""
    return [(what, CHOOSE_THE_THING) for what in _REFERENCE_REFUSALS.values()]


def missing_references(filename: str, tree: etree._ElementTree) -> Iterator[Problem]:
    """Message, signal, escalation and error events (and send and receive tasks) that name nothing, or name
    something the file does not define: deployed, they would wait forever, pass without waiting or send nothing."""
    root = tree.getroot()
    defined = {kind: {e.get("id") for e in root.iter(f"{{{BPMN_MODEL}}}{kind}")}
               for kind in ("message", "signal", "escalation", "error")}
    for element in root.iter(f"{{{BPMN_MODEL}}}*"):
        kind = etree.QName(element).localname
        if kind in ("receiveTask", "sendTask"):
            holders = [(kind, element)]
        else:
            holders = [(etree.QName(d).localname, d) for d in element.iterchildren(f"{{{BPMN_MODEL}}}*")
                       if etree.QName(d).localname.endswith("EventDefinition")]
        for definition_kind, holder in holders:
            if definition_kind == "conditionalEventDefinition":
                condition = holder.find(f"{{{BPMN_MODEL}}}condition")
                if condition is not None and not (condition.text or "").strip():
                    yield _problem(filename, element, EMPTY_CONDITION)
                continue
            if definition_kind not in REFERENCES:
                continue
            attribute, thing = REFERENCES[definition_kind]
            catching = kind in CATCHING
            reference = (holder.get(attribute) or "").strip()
            if not reference and (definition_kind, catching) in MAY_OMIT:
                continue
            if reference in defined[thing]:
                continue
            what = _REFERENCE_REFUSALS[(bool(reference), catching)]
            yield _problem(filename, element, (what % {"thing": thing, "reference": reference},
                                               CHOOSE_THE_THING % {"thing": thing}))


def _has_definition(element: etree._Element, kind: str) -> bool:
    return element.find(f"{{{BPMN_MODEL}}}{kind}") is not None


def _problem(filename: str, element: etree._Element, refusal: tuple[str, str]) -> Problem:
    what, advice = refusal
    # An element without a name is named by its kind when the problems are collected.
    return Problem(filename, element.get("id") or "", element.get("name") or "",
                   f"{what}. {advice}")
