"""instructionsForEndUser: a sandboxed Jinja2 template over the task data, shown as sanitized Markdown."""
from __future__ import annotations

import pytest

from engine.definitions.validation import validate_bundle
from engine.runtime.instructions import render_instructions

DATA = {"customer": "Li Wei", "items": ["a", "b"], "amount": 1200}


def test_the_template_reads_the_task_data_and_renders_markdown() -> None:
    shown = render_instructions("## {{ customer }}\n\n{% for i in items %}- {{ i }}\n{% endfor %}", DATA)
    assert shown.error is None
    assert shown.markdown == "## Li Wei\n\n- a\n- b\n"
    assert shown.html == "<h2>Li Wei</h2>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"


def test_plain_markdown_without_template_syntax_is_shown_as_is() -> None:
    assert render_instructions("Check the *ID card*.", {}).html == "<p>Check the <em>ID card</em>.</p>\n"


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "{{ customer }}<iframe src='https://evil.example'></iframe>",
    "![tracking pixel](https://evil.example/seen.png)",
])
def test_no_raw_html_or_script_reaches_the_page(hostile: str) -> None:
    html = render_instructions(hostile, DATA).html
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize(("template", "reason"), [
    ("{{ customer.__class__.__mro__ }}", "unsafe"),            # no internals
    ("{{ items.append('c') }}", "unsafe"),                      # task data cannot be changed
    ("{% include '/etc/passwd' %}", "no loader"),               # no files
    ("{{ lipsum() }}", "undefined"),                            # none of Jinja's extra globals
    ("{{ range(10**9) | list }}", "Range too big"),
    ("{% for x in %}", "line 1: "),
    ("{{ missing.field }}", "'missing' is undefined"),
])
def test_a_template_that_cannot_be_shown_says_why(template: str, reason: str) -> None:
    shown = render_instructions(template, DATA)
    assert (shown.markdown, shown.html) == ("", "")
    assert shown.error is not None and reason in shown.error
    assert shown.error.startswith("The instructions for this task could not be shown (")


def test_an_expensive_template_is_stopped_by_the_sandbox_limits() -> None:
    shown = render_instructions("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                                DATA)
    assert shown.error is not None and "stopped" in shown.error


def test_a_template_syntax_error_is_refused_at_deploy_naming_the_task() -> None:
    bpmn = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="d" targetNamespace="http://casedesk.example/bpmn">
  <bpmn:process id="p" name="P" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Check the papers">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>Hello
{% if customer %}{{ customer }</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    [problem] = validate_bundle({"p.bpmn": bpmn}, set())
    assert (problem.element_id, problem.element_name) == ("check", "Check the papers")
    assert problem.message.startswith("instructions: line 2: ")
