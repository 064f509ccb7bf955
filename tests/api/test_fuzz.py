"""Schemathesis fuzzes every operation of the JSON API from its own OpenAPI schema (/api/v1/openapi.json):
no request may be answered with a 5xx, whoever sends it. Three identities (anonymous, an applicant, staff of
ponorogo), real cases in the database and their ids, SOP ids and tracking codes mixed into the generated
paths, so the checks behind the 404s are reached too. The run is what `st run <schema> -c not_a_server_error`
does (examples, coverage, fuzzing and stateful phases), through the engine behind that command.

Deterministic by default (a fixed seed); ALUR_FUZZ_SEED and ALUR_FUZZ_EXAMPLES vary and widen it.
"""

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from schemathesis import Config
from schemathesis.engine import from_schema
from schemathesis.engine.events import EngineFinished, FatalError, NonFatalError, ScenarioFinished
from schemathesis.openapi import from_url
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.config import Settings
from tests.api.conftest import Api, open_api
from tests.utils.served import served
from tests.utils.factories import jathil_vendor_form
from tests.utils.gallery import multipart_start
from workflows import REGISTRY

log = logging.getLogger(__name__)
EXAMPLES = int(os.environ.get("ALUR_FUZZ_EXAMPLES", "10"))  # per operation and phase; the reviewers used 30
SEED = int(os.environ.get("ALUR_FUZZ_SEED", "20260101"))
IDENTITIES = ("anonymous", "umkm", "admin_bidang")
# Ending the session the fuzzer holds would leave the rest of its run anonymous: fuzzed without a token only.
ENDS_THE_SESSION = "/api/v1/auth/logout"
# Integers past what the databases store (32- and 64-bit keys), for every integer the schema lets through.
EXTREMES = [2**31, 2**63, -(2**63) - 1, 10**30]


@dataclass
class World:
    url: str
    headers: dict[str, dict[str, str]]  # per identity
    case_ids: list[str]
    tracking_codes: list[str]
    document_ids: list[int]


@pytest.fixture
def fuzz_settings(settings: Settings, dev_env: WorkflowEnvironment) -> Settings:
    # The served app connects to the dev server itself (on uvicorn's loop), like a deployed API.
    address = dev_env.client.service_client.config.target_host
    return settings.model_copy(update={"temporal_address": address, "public_starts_per_hour": 10_000})


@pytest.fixture(name="served")
def served_app(fuzz_settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, as `st run` sees a deployed API."""
    with served(create_app(fuzz_settings), log_level="critical") as url:
        yield url


@pytest.fixture
async def world(dev_env: WorkflowEnvironment, fuzz_settings: Settings, served: str) -> AsyncIterator[World]:
    """Real data: an applicant's jathil-vendor case in ponorogo (the staff identity's agency) and a
    gallery-curation case with documents in jatim (not theirs); a worker runs on the test's loop."""
    async with open_api(dev_env, fuzz_settings) as api:
        _, applicant_h = await api.user("umkm")
        _, staff_h = await api.user("admin_bidang", "ponorogo")
        vendor = await started(api, "/api/v1/sops/jathil-vendor/cases", applicant_h, json=jathil_vendor_form())
        gallery = await started(api, "/api/v1/sops/gallery-curation/cases", applicant_h, **multipart_start())
        yield World(
            url=served, headers={"anonymous": {}, "umkm": applicant_h, "admin_bidang": staff_h},
            case_ids=[vendor["id"], gallery["id"]], tracking_codes=[vendor["tracking_code"], gallery["tracking_code"]],
            document_ids=[d["id"] for d in gallery["documents"]],
        )


async def started(api: Api, path: str, headers: dict[str, str], **body) -> dict:
    response = await api.http.post(path, headers=headers, **body)
    assert response.status_code == 201, response.text
    return response.json()


def fuzz_config(world: World, identity: str) -> Config:
    headers = world.headers[identity]
    operations = [] if not headers else [{"include-path": ENDS_THE_SESSION, "enabled": False}]
    return Config.from_dict({
        "seed": SEED,
        "base-url": world.url,
        "headers": headers,
        "request-timeout": 30,
        "cache": {"enabled": False},  # nothing learnt from an earlier run: the same seed, the same requests
        "checks": {"enabled": False, "not_a_server_error": {"enabled": True}},
        "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none",
                       "dictionaries": {"integer": {"dictionary": "extremes", "probability": 0.2}}},
        "dictionaries": {
            "extremes": {"values": EXTREMES},
            "cases": {"values": world.case_ids},
            "codes": {"values": world.tracking_codes},
            "sops": {"values": list(REGISTRY.definitions())},
            "documents": {"values": world.document_ids + EXTREMES},
        },
        "parameters": {
            "path.case_id": {"dictionary": "cases", "probability": 0.5},
            "query.case_id": {"dictionary": "cases", "probability": 0.5},
            "path.tracking_code": {"dictionary": "codes", "probability": 0.5},
            "path.sop": {"dictionary": "sops", "probability": 0.5},
            "query.sop": {"dictionary": "sops", "probability": 0.5},
            "path.document_id": {"dictionary": "documents", "probability": 0.5},
        },
        "operations": operations,
    })


@dataclass
class Outcome:
    requests: int
    server_errors: list[str]
    errors: list[str]


def fuzz(world: World, identity: str) -> Outcome:
    """One `st run`-like pass as `identity`: counts the requests sent and lists every 5xx."""
    schema = from_url(f"{world.url}/api/v1/openapi.json", config=fuzz_config(world, identity))
    requests, server_errors, errors = 0, [], []
    for event in from_schema(schema).execute():
        if isinstance(event, ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                requests += 1
                response = interaction.response
                if response is not None and response.status_code >= 500:
                    request = interaction.request
                    server_errors.append(f"{identity}: {request.method} {request.uri} {request.body!r:.300} -> "
                                         f"{response.status_code} {response.content[:200]!r}")
        elif isinstance(event, (NonFatalError, FatalError)):
            errors.append(f"{identity}: {event!r:.500}")
        elif isinstance(event, EngineFinished):
            break
    return Outcome(requests, server_errors, errors)


async def test_no_request_gets_a_server_error(world: World) -> None:
    outcomes = {}
    for identity in IDENTITIES:  # in a thread: the worker on this loop keeps answering decisions
        outcomes[identity] = await asyncio.to_thread(fuzz, world, identity)
    total = sum(o.requests for o in outcomes.values())
    log.info("fuzz: %d requests (%s), seed %d, %d examples", total,
             ", ".join(f"{i} {o.requests}" for i, o in outcomes.items()), SEED, EXAMPLES)
    assert [e for o in outcomes.values() for e in o.server_errors] == []
    assert [e for o in outcomes.values() for e in o.errors] == []
    assert all(o.requests > 100 for o in outcomes.values()), outcomes  # every identity really got through


@pytest.mark.parametrize("path", ["/galeri/produk/{n}/label", "/api/v1/catalogue/gallery/{n}"])
async def test_an_id_past_the_database_range_is_refused(served: str, path: str) -> None:
    """The pages, outside the schema, share the API's bounded ids (api.paging.RowId): never a database error."""
    for n in EXTREMES:
        response = await asyncio.to_thread(httpx.get, served + path.format(n=n), timeout=30)
        assert response.status_code in (404, 422), (n, response.status_code, response.text[:200])
