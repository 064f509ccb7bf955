"""Jinja2 templates shipped inside the `alur` distribution; `folder(name)` finds one kind of them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
KINDS = ("email", "whatsapp", "web", "documents")


def folder(name: str) -> Path:
    """The folder of one kind of template (email, whatsapp, web, documents), wherever the package is installed."""
    path = ROOT / name
    if not path.is_dir():
        raise FileNotFoundError(f"no template folder {name!r} in {ROOT}")
    return path
