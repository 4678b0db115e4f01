"""The per-definition activity heatmap counts instances and passes per element from the event logs."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import NotFound
from engine.history.heatmap import HeatmapService
from tests.integration.test_replay import run_review


def test_heatmap_counts_instances_and_loop_rounds_per_element(app: Casedesk) -> None:
    run_review(app, rounds=3)                 # two send-backs, then published
    run_review(app, rounds=1)                 # published at once
    run_review(app, rounds=1, finish=False)   # waiting for review
    heatmap = HeatmapService(app.db).activity("document_review")
    assert (heatmap.instances, heatmap.versions) == (3, [1])
    counts = {element: (c.instances, c.passes) for element, c in heatmap.elements.items()}
    assert counts["start"] == (3, 3) and counts["prepare"] == (3, 3)
    assert counts["draft"] == (3, 5)          # 3 + 1 + 1 drafts
    assert counts["review"] == (3, 5)         # the waiting review counts as reached
    assert counts["approved_gateway"] == (2, 4)
    assert counts["publish"] == (2, 2) and counts["end"] == (2, 2)
    assert heatmap.as_dict()["elements"]["draft"] == {"instances": 3, "passes": 5}


def test_heatmap_of_an_unknown_process_is_not_found(app: Casedesk) -> None:
    with pytest.raises(NotFound):
        HeatmapService(app.db).activity("no_such_process")
    with pytest.raises(NotFound):
        HeatmapService(app.db).activity("document_review", version=9)


def test_heatmap_counts_flows_taken_from_the_recorded_sources(app: Casedesk) -> None:
    run_review(app, rounds=3)
    run_review(app, rounds=1)
    run_review(app, rounds=1, finish=False)
    heatmap = HeatmapService(app.db).activity("document_review", version=1)
    flows = {flow: (c.instances, c.passes) for flow, c in heatmap.flows.items()}
    assert flows["flow_start_prepare"] == (3, 3)
    assert flows["flow_draft_review"] == (3, 5)
    assert flows["flow_rejected"] == (1, 2)      # only the first case was sent back, twice
    assert flows["flow_approved"] == (2, 2)
    assert flows["flow_review_gateway"] == (2, 4)
    assert heatmap.unmatched_flows == {}
