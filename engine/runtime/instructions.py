"""A user task's `instructionsForEndUser`: a Jinja2 template over the task data, shown as sanitized Markdown."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Mapping

import nh3
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt

from engine.errors import ScriptRejected
from engine.sandbox.pool import run_pooled

INSTRUCTIONS_EXTENSION = "instructionsForEndUser"  # SpiffWorkflow's extension element on a task
MAX_CHARACTERS = 100_000  # more text than anyone reads on a task page
_TEMPLATE_MARKERS = ("{{", "{%", "{#")
# What Markdown produces, and no more: no images (an outside image tells another server who read the task
# and when), no image maps; nh3 also keeps only http(s)/mailto links and adds rel="noopener noreferrer".
_ALLOWED_TAGS = {"a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre",
                 "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "del", "s"}


@dataclass(frozen=True)
class Instructions:
    """What the task page and the API show: the Markdown, its safe HTML, or why it could not be shown."""

    markdown: str
    html: str
    error: str | None = None


def task_instructions(task_spec: Any) -> str:
    """The template the diagram gives a task, or ''."""
    return ((getattr(task_spec, "extensions", None) or {}).get(INSTRUCTIONS_EXTENSION) or "").strip()


@functools.cache
def _environment() -> ImmutableSandboxedEnvironment:
    # No loader: {% include %}/{% import %} find nothing; the sandbox refuses internals (_x, __class__, mro)
    # and the immutable variant refuses changing the task data (list.append, dict.update).
    environment = ImmutableSandboxedEnvironment(autoescape=False, loader=None)
    environment.globals = {"range": environment.globals["range"]}  # no lipsum, cycler, joiner, namespace
    return environment


@functools.cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the template or the data is shown as text, never as markup; nh3 cleans what Markdown makes.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def template_problem(template: str) -> str | None:
    """Why the template cannot be used (a syntax error with its line), or None; checked at deploy."""
    try:
        _environment().parse(template)
    except TemplateSyntaxError as exc:
        return f"line {exc.lineno}: {exc.message}"
    return None


def render_instructions(template: str, data: Mapping[str, Any]) -> Instructions:
    """The template rendered over `data`, as Markdown and as sanitized HTML; a broken template explains itself."""
    if not template:
        return Instructions("", "")
    try:
        markdown = _render(template, dict(data)) if any(m in template for m in _TEMPLATE_MARKERS) else template
    except TemplateSyntaxError as exc:
        return _failed(f"line {exc.lineno}: {exc.message}")
    except TemplateError as exc:  # undefined attribute, a refused internal, a filter on the wrong type
        return _failed(str(exc.message or exc))
    except ScriptRejected as exc:  # too slow or too big: stopped under the sandbox's OS limits
        return _failed(str(exc))
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        return _failed(f"{exc}")
    return markdown_instructions(markdown)


def markdown_instructions(markdown: str) -> Instructions:
    """Rendered Markdown as the page shows it: safe HTML only."""
    markdown = markdown[:MAX_CHARACTERS]
    return Instructions(markdown, nh3.clean(_markdown().render(markdown), tags=_ALLOWED_TAGS,
                                            url_schemes={"http", "https", "mailto"}))


def ready_task_instructions(task_spec: Any, data: Mapping[str, Any]) -> str | None:
    """What a task that just became ready keeps: its template rendered over its own data (a multi-instance
    item, a called process's variables), or None when it has none or it does not render."""
    template = task_instructions(task_spec)
    return (render_instructions(template, data).markdown or None) if template else None


def shown_instructions(kept: str | None, template: str, case_data: Mapping[str, Any]) -> Instructions:
    """The task page's instructions: what the task kept when it became ready; otherwise (a template that
    failed then, a task from before this was kept) the template over the case data, failure explained."""
    return markdown_instructions(kept) if kept is not None else render_instructions(template, case_data)


def _render(source: str, data: dict[str, Any]) -> str:
    _template(source)  # compiling runs nothing of the template; syntax errors are raised here
    # Loops and string arithmetic in a template can be made arbitrarily expensive: render under the OS limits,
    # in a pooled sandbox process (engine/sandbox/pool.py) rather than a fork per task.
    return run_pooled(_render_here, (source, data))


def _render_here(source: str, data: dict[str, Any]) -> str:
    return _template(source).render(data)[:MAX_CHARACTERS]


@functools.lru_cache(maxsize=256)
def _template(source: str) -> Any:
    return _environment().from_string(source)


def _failed(reason: str) -> Instructions:
    return Instructions("", "", f"The instructions for this task could not be shown ({reason.rstrip('.')}). "
                                "Tell the process owner; the task itself can still be worked.")
