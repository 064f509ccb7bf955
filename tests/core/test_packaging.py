"""The templates ship inside the `alur` wheel and are found through `templates.folder`, not beside the source tree."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import templates
from activities.notify import environment as channel_environment
from activities.notify import render_email
from api.pages.web import environment as page_environment
from core.config import Settings

REPO = Path(__file__).resolve().parents[2]


def docker_sources() -> list[str]:
    """What the Dockerfile's build stage copies into the wheel's build context (COPY lines without --from)."""
    sources: list[str] = []
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if re.match(r"COPY\s", line) and "--from" not in line:
            sources += line.split()[1:-1]
    return sources


def can_build_wheels_offline() -> bool:
    return bool(importlib.util.find_spec("setuptools")) and bool(
        importlib.util.find_spec("setuptools.command.bdist_wheel") or importlib.util.find_spec("wheel"))


def test_the_wheel_built_from_the_docker_context_carries_every_template(tmp_path: Path):
    if not can_build_wheels_offline():
        pytest.skip("needs setuptools>=70.1 (or wheel) in this environment: pip install -e '.[test]'")
    sources = docker_sources()
    assert "templates" in sources and "pyproject.toml" in sources
    context = tmp_path / "src"  # a copy: building in the work tree would leave build/ and egg-info behind
    context.mkdir()
    for name in sources:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, context / name)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
         str(context)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("alur-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    shipped = {name for name in names if name.startswith("templates/")}
    expected = {f"templates/{path.relative_to(templates.ROOT).as_posix()}"
                for path in templates.ROOT.rglob("*") if path.is_file() and "__pycache__" not in path.parts
                and path.suffix != ".pyc"}
    assert expected - shipped == set(), "template files missing from the wheel (pyproject.toml package-data?)"
    for needed in ("templates/__init__.py", "templates/web/base.html", "templates/email/approved.html",
                   "templates/email/approved.subject.txt", "templates/whatsapp/_base.txt",
                   "templates/documents/price_tag.html", "activities/notify.py", "api/pages/web.py", "worker.py"):
        assert needed in names
    assert any(name.startswith("core/migrations/versions/") for name in names)


def test_every_caller_finds_its_templates_through_the_package():
    for kind in templates.KINDS:
        assert templates.folder(kind) == templates.ROOT / kind
        assert templates.folder(kind).is_dir()
    with pytest.raises(FileNotFoundError):
        templates.folder("nowhere")
    assert page_environment().loader.searchpath == [str(templates.folder("web"))]
    assert channel_environment("whatsapp").loader.searchpath == [str(templates.folder("whatsapp"))]


def test_an_email_and_a_page_render_through_the_locator():
    mail = render_email("approved", {"case_id": "SIP-2026-000001", "base_url": "https://alur.example",
                                     "recipient_name": "Budi", "sop_title": "Izin"})
    assert mail.subject and "https://alur.example/kasus/SIP-2026-000001" in mail.text
    page = page_environment().get_template("error.html").render(
        user=None, settings=Settings(env="test"), csrf="token", status_code=404, messages=["Kasus tidak ada"])
    assert "Tidak ditemukan" in page and "Kasus tidak ada" in page and "</html>" in page
