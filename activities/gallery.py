"""gallery-curation side effects: the configured pass rule, and the catalogue entry of a displayed product."""

import asyncio
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity

from core.barcodes import barcode_type
from core.config import Settings
from core.db import session_scope
from core.messages import Listed, Listing
from core.models_gallery import GalleryProduct
from workflows.gallery_curation import CURATION_VERDICT, DISPLAY_PRODUCT


def verdict(rule: str, recommendations: list[str]) -> str:
    """'pass' when all (rule "all") or any (rule "any") curators recommend pass."""
    passes = [r == "pass" for r in recommendations]
    return "pass" if passes and (all(passes) if rule == "all" else any(passes)) else "fail"


def write_listing(engine: Engine, listing: Listing) -> Listed:
    """Creates or updates the case's catalogue entry; refuses an SKU another product of the gallery has."""
    with session_scope(engine) as session:
        taken = session.exec(select(GalleryProduct).where(
            GalleryProduct.agency == listing.agency, GalleryProduct.sku == listing.sku,
            GalleryProduct.case_id != listing.case_id)).first()
        if taken is not None:
            return Listed(product_id=None)
        product = session.exec(select(GalleryProduct).where(GalleryProduct.case_id == listing.case_id)).first()
        product = product or GalleryProduct(case_id=listing.case_id, agency=listing.agency)
        for name in ("sku", "stock", "price", "product_name", "business_name", "category"):
            setattr(product, name, getattr(listing, name))
        product.expiry_date = date.fromisoformat(listing.expiry_date) if listing.expiry_date else None
        product.barcode_type = barcode_type(listing.sku)
        session.add(product)
        session.commit()
        return Listed(product_id=product.id, barcode_type=product.barcode_type)


class GalleryActivities:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @activity.defn(name=CURATION_VERDICT)
    async def curation_verdict(self, recommendations: list[str]) -> str:
        # An activity so that a change of the configured rule never alters a running case's replay.
        return verdict(self.settings.gallery_pass_rule, recommendations)

    @activity.defn(name=DISPLAY_PRODUCT)
    async def display_product(self, listing: Listing) -> Listed:
        return await asyncio.to_thread(write_listing, self.engine, listing)


def sop_activities(settings: Settings, engine: Engine) -> list[Any]:
    """gallery-curation's activities, for the worker (workflows.gallery_curation names this module)."""
    gallery = GalleryActivities(settings, engine)
    return [gallery.curation_verdict, gallery.display_product]
