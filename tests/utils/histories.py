"""Committed workflow histories: written once from a real run, replayed by tests/workflows/test_replay.py."""

import json
from pathlib import Path

from temporalio.client import Client

HISTORIES = Path(__file__).resolve().parent.parent / "histories"


async def save_history(client: Client, workflow_id: str, name: str) -> Path:
    """Writes tests/histories/<name>.json (the workflow type is read from the history itself)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    path = HISTORIES / f"{name}.json"
    path.write_text(json.dumps(history.to_json_dict(), indent=1))
    return path


async def maybe_save_history(client: Client, workflow_id: str, name: str) -> None:
    """Refresh the committed history when run with ALUR_SAVE_HISTORIES=1; a no-op otherwise."""
    import os

    if os.environ.get("ALUR_SAVE_HISTORIES") == "1":
        await save_history(client, workflow_id, name)
