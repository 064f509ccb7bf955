"""The published service standard (Permenpan RB 15/2014) of every SOP: the catalogue, one SOP, the page,
and the complaint-channel setting. Catalogue reads need no worker: the app in-process, nothing else."""

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from api.main import create_app
from core.config import Settings, describe_error
from core.roles import AGENCIES, ROLE_TITLES
from workflows import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = ("Persyaratan", "Prosedur", "Waktu Pelayanan", "Biaya/Tarif", "Produk Pelayanan", "Pengaduan")


@pytest.fixture
def light_settings(tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=f"sqlite:///{tmp_path / 'alur.db'}", var_dir=tmp_path,
                    upload_dir=tmp_path / "uploads", base_url="http://alur.test")


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://alur.test") as http:
        yield http


@pytest.fixture
async def http(light_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_for(light_settings):
        yield client


async def catalogue(http: httpx.AsyncClient) -> dict[str, dict]:
    response = await http.get("/api/v1/sops")
    assert response.status_code == 200, response.text
    return {entry["id"]: entry for entry in response.json()}


async def test_every_sop_publishes_all_six_components(http: httpx.AsyncClient) -> None:
    entries = await catalogue(http)
    assert set(entries) == {m.id for m in REGISTRY}
    for module in REGISTRY:
        definition, standard = module.definition, entries[module.id]["standard"]
        assert standard is not None, module.id
        assert standard["requirements"] and all(line.strip() for line in standard["requirements"]), module.id
        assert standard["time"].strip() and standard["cost"].strip() and standard["product"].strip(), module.id
        assert standard["complaint_channels"] == list(AGENCIES[definition.agency].complaint_channels), module.id
        assert standard["complaint_channels"], module.id
        # The procedure is the definition's steps, in order, each with who acts and its time.
        assert [p["step"] for p in standard["procedure"]] == [s.id for s in definition.steps], module.id
        for entry, step in zip(standard["procedure"], definition.steps, strict=True):
            assert entry["title"] == step.title
            assert entry["actor"] == ("Pemohon" if step.applicant_step else ROLE_TITLES[step.role])
            assert entry["time"].strip()
            if step.sla:
                assert entry["time"] == step.sla.describe()


async def test_the_published_texts_follow_the_seeds(http: httpx.AsyncClient) -> None:
    entries = await catalogue(http)
    jathil = entries["jathil-vendor"]["standard"]
    assert jathil["complaint_channels"] == ["Contact center JATHIL MART: 0823-1162-1100"]
    assert jathil["cost"] == "Gratis (tidak dipungut biaya)"
    assert any("P-IRT" in line for line in jathil["requirements"])
    assert [p["time"] for p in jathil["procedure"]][0] == "1 hari kerja"
    assert "0821-1915-7355" in entries["eorder-vendor"]["standard"]["complaint_channels"][0]
    assert any("SP4N-LAPOR" in line for line in entries["gallery-curation"]["standard"]["complaint_channels"])
    assert any("kurasi galeri" in line for line in entries["referral"]["standard"]["requirements"])
    jombang, sijunjung = AGENCIES["jombang"].complaint_channels, AGENCIES["sijunjung"].complaint_channels
    assert any("(0321) 8491519" in line for line in jombang) and any("082139751135" in line for line in jombang)
    assert any("dinkopum@jombangkab.go.id" in line for line in jombang)
    assert any("1708" in line for line in sijunjung) and any("0754-20044" in line for line in sijunjung)


async def test_one_sop_equals_its_catalogue_entry(http: httpx.AsyncClient) -> None:
    entries = await catalogue(http)
    for sop, entry in entries.items():
        response = await http.get(f"/api/v1/sops/{sop}")
        assert response.status_code == 200, response.text
        assert response.json() == entry
    missing = await http.get("/api/v1/sops/tidak-ada")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Layanan tidak ditemukan"}


async def test_the_standard_page_of_every_sop(http: httpx.AsyncClient) -> None:
    for module in REGISTRY:
        page = await http.get(f"/layanan/{module.id}/standar")
        assert page.status_code == 200, (module.id, page.text)
        for heading in HEADINGS:
            assert f"<h2>{heading}</h2>" in page.text, (module.id, heading)
        assert module.definition.steps[0].title in page.text
    assert (await http.get("/layanan/tidak-ada/standar")).status_code == 404
    home = await http.get("/")
    for module in REGISTRY.startable():
        assert f'href="/layanan/{module.id}/standar"' in home.text


async def test_step_times_follow_the_sla_overrides(light_settings: Settings) -> None:
    settings = light_settings.model_copy(update={"sla_overrides": {"jathil-vendor.verify": "2d"}})
    async for http in client_for(settings):
        procedure = (await http.get("/api/v1/sops/jathil-vendor")).json()["standard"]["procedure"]
        assert procedure[0] == {"step": "verify", "title": "Verifikasi persyaratan", "actor": "Administrator Bidang",
                                "time": "2 hari kerja"}


async def test_the_setting_overrides_an_agencys_complaint_channels(light_settings: Settings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["Contact center JATHIL MART: 0811-0000-1111", "E-mail: jathilmart@ponorogo.go.id"]
    monkeypatch.setenv("ALUR_COMPLAINT_CHANNELS", json.dumps({"ponorogo": lines}))
    configured = Settings()
    assert configured.complaint_channels == {"ponorogo": lines}
    settings = light_settings.model_copy(update={"complaint_channels": configured.complaint_channels})
    async for http in client_for(settings):
        entries = await catalogue(http)
        assert entries["jathil-vendor"]["standard"]["complaint_channels"] == lines
        # Other agencies keep their own.
        assert entries["eorder-vendor"]["standard"]["complaint_channels"] == list(AGENCIES["dki"].complaint_channels)
        page = await http.get("/layanan/jathil-vendor/standar")
        assert "0811-0000-1111" in page.text and "0823-1162-1100" not in page.text


def test_an_unknown_agency_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(complaint_channels={"atlantis": ["Kotak pengaduan"]})
    assert describe_error(refused.value) == (
        "invalid setting ALUR_COMPLAINT_CHANNELS: unknown agency atlantis; one of: " + ", ".join(AGENCIES))
    with pytest.raises(ValidationError):
        Settings(complaint_channels={"jatim": ["  "]})  # an agency with no line would publish no channel


def test_an_unknown_agency_stops_start_up_with_one_line(sqlite_url: str) -> None:
    env = {**os.environ, "ALUR_DATABASE_URL": sqlite_url, "ALUR_COMPLAINT_CHANNELS": '{"atlantis": ["x"]}'}
    done = subprocess.run([sys.executable, "-m", "core.cli", "migrate"], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("alur: invalid setting ALUR_COMPLAINT_CHANNELS: unknown agency atlantis; ")
