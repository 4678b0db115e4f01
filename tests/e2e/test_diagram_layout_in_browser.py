"""In a real browser (issue 16 item 4): every shipped diagram, as the version page and the modeler show it, has
no label on a shape, a flow or another label and no two shapes on each other; it is fitted to its box, and the
modeler's palette covers none of it. Screenshots of the modeler in test-artifacts/e2e/diagram-layout/."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.config import PROJECT_ROOT
from tests.e2e.conftest import Shots, sign_in
from tests.support.modeler import open_modeler

# Overlaps as the reader sees them, computed from what bpmn-js rendered (labels are placed by bpmn-js and
# then by web/static/layout.js), in diagram coordinates; 1 unit of tolerance for touching edges.
OVERLAPS = """(diagram) => {
    const CONTAINERS = ['bpmn:Participant', 'bpmn:Lane', 'bpmn:SubProcess', 'bpmn:Process', 'bpmn:Collaboration',
                        'bpmn:Group', 'bpmn:TextAnnotation'];
    const all = diagram.get('elementRegistry').getAll();
    const shapes = all.filter(e => !e.waypoints && e.type !== 'label' && e.parent && !CONTAINERS.includes(e.type));
    const labels = all.filter(e => e.type === 'label' && e.businessObject && e.businessObject.name);
    const flows = all.filter(e => e.waypoints && e.type !== 'label');
    const over = (a, b) => a.x + 1 < b.x + b.width && b.x + 1 < a.x + a.width
                           && a.y + 1 < b.y + b.height && b.y + 1 < a.y + a.height;
    const inside = (p, b) => p.x > b.x + 1 && p.x < b.x + b.width - 1 && p.y > b.y + 1 && p.y < b.y + b.height - 1;
    const crosses = (flow, b) => flow.waypoints.some((p, i) => i > 0 && [...Array(41).keys()].some(k => inside(
        {x: flow.waypoints[i - 1].x + (p.x - flow.waypoints[i - 1].x) * k / 40,
         y: flow.waypoints[i - 1].y + (p.y - flow.waypoints[i - 1].y) * k / 40}, b)));
    const found = [];
    for (const label of labels) {
        const target = label.labelTarget;
        for (const shape of shapes) {
            if (shape !== target && over(label, shape)) { found.push(`label of ${target.id} on ${shape.id}`); }
        }
        for (const other of labels) {
            if (other.id < label.id && over(label, other)) {
                found.push(`label of ${target.id} on label of ${other.labelTarget.id}`);
            }
        }
        for (const flow of flows) {
            if (flow !== target && flow.source !== target && flow.target !== target && crosses(flow, label)) {
                found.push(`label of ${target.id} on flow ${flow.id}`);
            }
        }
    }
    shapes.forEach((a, i) => shapes.slice(i + 1).forEach(b => {
        const attached = a.host === b || b.host === a || (a.host && a.host === b.host);
        if (!attached && over(a, b)) { found.push(`${a.id} on ${b.id}`); }
    }));
    const box = diagram.get('canvas').viewbox();
    const inner = box.inner;
    if (inner.x < box.x - 1 || inner.y < box.y - 1 || inner.x + inner.width > box.x + box.width + 1
        || inner.y + inner.height > box.y + box.height + 1) { found.push('not fitted to its box'); }
    return found;
}"""
# The palette's right edge in diagram coordinates must be left of everything drawn.
PALETTE_CLEAR = """(diagram) => {
    const palette = document.querySelector('#modeler .djs-palette').getBoundingClientRect();
    const holder = document.querySelector('#modeler').getBoundingClientRect();
    const box = diagram.get('canvas').viewbox();
    return box.x + (palette.right - holder.left) / box.scale <= box.inner.x + 1;
}"""


def _shipped() -> list[Path]:
    return sorted(p for p in (PROJECT_ROOT / "processes").rglob("*.bpmn"))


def _keys_by_file(page: Any, server: str) -> dict[str, str]:
    """Each shipped diagram's process key (a diagram's main process is the one deployed under its own key)."""
    from lxml import etree
    keys = {}
    for path in _shipped():
        root = etree.parse(str(path)).getroot()
        process = next(p for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
                       if p.get("isExecutable") != "false")
        keys[str(path.relative_to(PROJECT_ROOT / "processes"))] = process.get("id")
    return keys


def test_every_shipped_diagram_is_laid_out_without_overlaps_and_fitted(browser: Any, server: str) -> None:
    shots = Shots("diagram-layout")
    page = sign_in(browser, server, "en", "owen", viewport={"width": 1280, "height": 900})
    problems = {}
    for name, key in _keys_by_file(page, server).items():
        page.goto(f"{server}/owner/processes/{key}/1")
        page.wait_for_selector("#owner-diagram[data-rendered=true]")
        found = page.evaluate(f"() => ({OVERLAPS})(window.casedeskViewer)")
        open_modeler(page, server, key, 1)
        found += [f"modeler: {p}" for p in page.evaluate(f"() => ({OVERLAPS})(window.casedeskModeler)")]
        if not page.evaluate(f"() => ({PALETTE_CLEAR})(window.casedeskModeler)"):
            found.append("modeler: the palette covers the diagram")
        shots.take(page, key)
        if found:
            problems[name] = found
    page.context.close()
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())


def test_the_modeler_keeps_every_property_of_every_shipped_diagram(browser: Any, server: str) -> None:
    """Opened in the modeler (with casedesk's spiffworkflow descriptor) and saved untouched, no shipped diagram
    loses or changes an element or a property casedesk reads: the semantic diff finds nothing."""
    from engine.definitions.diff import bundle_changes
    page = sign_in(browser, server, "en", "owen", viewport={"width": 1280, "height": 900})
    changed = {}
    for name, key in _keys_by_file(page, server).items():
        open_modeler(page, server, key, 1)
        saved = page.evaluate("() => window.casedeskModeler.saveXML({ format: true }).then((r) => r.xml)")
        original = (PROJECT_ROOT / "processes" / name).read_bytes()
        changes = bundle_changes({name: original}, {name: saved.encode()})
        if changes:
            changed[name] = [(c.element_id, [(d.name, d.old, d.new) for d in c.details]) for c in changes]
    page.context.close()
    assert not changed, changed
