"""Tables of the gallery SOPs: uploaded documents (any SOP) and the gallery catalogue."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import at_field


class Document(SQLModel, table=True):
    """A file of a case: uploaded (`filename` is the client's name, for display only) or generated."""

    __tablename__ = "documents"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, foreign_key="cases.id", max_length=60)
    kind: str = Field(max_length=30)
    filename: str = Field(max_length=200)
    stored_name: str = Field(unique=True, max_length=40)
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=50)
    uploaded_by: int | None = Field(default=None, index=True)
    uploaded_by_name: str = Field(default="", max_length=200)
    uploaded_at: datetime = at_field()
    # A document the system generated (core.generated): the template under templates/documents/ and the
    # context it was rendered from, so that a lost file is rendered again, byte for byte. None: an upload.
    template: str | None = Field(default=None, max_length=60)
    context: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class GalleryProduct(SQLModel, table=True):
    """A curated product on display in an agency's gallery: the public catalogue reads this."""

    __tablename__ = "gallery_products"
    __table_args__ = (UniqueConstraint("agency", "sku"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(unique=True, foreign_key="cases.id", max_length=60)
    agency: str = Field(index=True, max_length=30)
    sku: str = Field(max_length=32)
    barcode_type: str = Field(max_length=10)
    product_name: str = Field(max_length=200)
    business_name: str = Field(max_length=200)
    category: str = Field(index=True, max_length=30)
    price: int
    stock: int
    expiry_date: date | None = None
    displayed_at: datetime = at_field()
