"""A migration report in the page's language: why an instance cannot move (by the kind of refusal the engine
records, engine/definitions/migration.py), task states and what changed about a task, in an owner's words."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.definitions.migration import (ATTRIBUTE_WORDS, FINISHED_MISSING, MOVED_ON, PREDICTED_MISSING,
                                          STATE_WORDS, SUBPROCESS_MISSING, TOKEN_LOST, Refusal, TaskChange)


def N_(message: str) -> str:
    """Marks a word for the translation catalogue (`make messages`)."""
    return message


# Every word ATTRIBUTE_WORDS and STATE_WORDS use (tests/web/test_owner_pages.py keeps the lists in step).
WORDS = frozenset((
    N_("name"), N_("instructions"), N_("lane"), N_("what leads to it"), N_("what comes after it"), N_("script"),
    N_("script before"), N_("script after"), N_("event (timer, message, signal)"), N_("conditions"),
    N_("default flow"), N_("service operator"), N_("service parameters"), N_("result variable"), N_("data in"),
    N_("data out"), N_("data in and out"), N_("kind of element"), N_("manual"), N_("called process"),
    N_("call binding"), N_("called version"), N_("form"), N_("form layout"), N_("candidate groups"), N_("assignee"),
    N_("due at"), N_("business key"), N_("retry"), N_("properties"), N_("test cases"),
    N_("ready"), N_("waiting"), N_("started"), N_("failed"), N_("completed"), N_("cancelled"), N_("predicted"),
))
SENTENCES = {
    TOKEN_LOST: N_("A token is at %(element)s (%(state)s), which the new version does not have."),
    FINISHED_MISSING: N_("%(element)s (%(state)s) is still in the case's task tree, and the new version does not "
                         "have it."),
    PREDICTED_MISSING: N_("%(element)s is expected to come next, and the new version does not have it."),
    SUBPROCESS_MISSING: N_("Subprocess %(element)s is running, and the new version does not have it."),
    MOVED_ON: N_("The case no longer runs the old version: it moved meanwhile."),
}


def word(text: str) -> str:
    return _(text) if text in WORDS else text


def state_text(state: str) -> str:
    return word(STATE_WORDS.get(state, state.lower()))


def refusal_text(refusal: Refusal) -> str:
    """Why an instance cannot move, in the page's language (a reason of another kind as the engine said it)."""
    sentence = SENTENCES.get(refusal.kind)
    if sentence is None:
        return refusal.text
    return _(sentence, element=refusal.subject, state=state_text(refusal.state))


def change_text(change: TaskChange) -> str:
    """What changes about a task the instance is at: the element it moves to, or what changed, as owner words."""
    if change.moves_to:
        return _("moves to %(element)s", element=change.moves_to)
    return _(", ").join(word(w) for w in change.attributes)


def template_helpers() -> dict[str, Any]:
    return {"migration_refusal": refusal_text, "migration_change": change_text, "task_state": state_text}


def all_words() -> set[str]:
    """The words the engine may hand this module (for the test that keeps the two in step)."""
    return set(ATTRIBUTE_WORDS.values()) | set(STATE_WORDS.values())
