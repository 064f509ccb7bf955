"""Every committed history replays against the current workflow code: a non-deterministic change
fails here, not in production. Add a history per SOP path with tests/utils/histories.save_history."""

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.utils.histories import HISTORIES
from worker import WORKFLOW_RUNNER
from workflows import REGISTRY
from workflows.digest import DigestWorkflow

FILES = sorted(HISTORIES.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
async def test_history_replays(path: Path) -> None:
    data = json.loads(path.read_text())
    history = WorkflowHistory.from_json(path.stem, data)
    replayer = Replayer(workflows=[*REGISTRY.workflows(), DigestWorkflow], workflow_runner=WORKFLOW_RUNNER)
    await replayer.replay_workflow(history)


def test_every_sop_has_a_history() -> None:
    recorded = {json.loads(p.read_text())["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]
                for p in FILES}
    assert {w.definition.id for w in REGISTRY.workflows()} <= recorded
