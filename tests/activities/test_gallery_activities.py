"""gallery-curation activities: the configurable pass rule, the catalogue entry and its barcode."""

import pytest
from temporalio.testing import ActivityEnvironment

from activities.gallery import GalleryActivities, verdict, write_listing
from core.barcodes import barcode_svg, barcode_type
from core.config import Settings
from core.db import session_scope
from core.messages import Listing
from core.models import Case
from tests.utils.factories import make_user


@pytest.mark.parametrize(("rule", "recommendations", "expected"), [
    ("all", ["pass", "pass"], "pass"), ("all", ["pass", "fail"], "fail"), ("all", [], "fail"),
    ("any", ["pass", "fail"], "pass"), ("any", ["fail", "fail"], "fail"),
])
def test_pass_rule(rule: str, recommendations: list[str], expected: str) -> None:
    assert verdict(rule, recommendations) == expected


async def test_rule_comes_from_the_settings(engine) -> None:
    activities = GalleryActivities(Settings(env="test", gallery_pass_rule="any"), engine)
    assert await ActivityEnvironment().run(activities.curation_verdict, ["fail", "pass"]) == "pass"


def add_case(engine, case_id: str) -> None:
    applicant = make_user(engine, "umkm")
    with session_scope(engine) as session:
        session.add(Case(id=case_id, sop="gallery-curation", agency="jatim", tracking_code=case_id[-10:].upper(),
                         applicant_id=applicant.id, applicant_name=applicant.name, status="open", stage="Display"))
        session.commit()


def listing(case_id: str, sku: str, **changes) -> Listing:
    fields = {"case_id": case_id, "agency": "jatim", "sku": sku, "stock": 5, "price": 15000,
              "product_name": "Keripik", "business_name": "Bu Sri", "category": "makanan_minuman",
              "expiry_date": "2030-06-30"}
    return Listing(**{**fields, **changes})


def test_listing_is_idempotent_and_an_sku_belongs_to_one_product(engine) -> None:
    add_case(engine, "gallery-curation-2027-000001")
    add_case(engine, "gallery-curation-2027-000002")
    first = write_listing(engine, listing("gallery-curation-2027-000001", "KT-1"))
    again = write_listing(engine, listing("gallery-curation-2027-000001", "KT-1", stock=7))
    assert first.product_id == again.product_id and first.barcode_type == "code128"
    assert write_listing(engine, listing("gallery-curation-2027-000002", "KT-1")).product_id is None
    assert write_listing(engine, listing("gallery-curation-2027-000002", "KT-1", agency="dki")).product_id


def test_barcodes() -> None:
    assert barcode_type("8991234567891") == "ean13"
    assert barcode_type("8991234567895") == "code128"  # a wrong check digit is not silently "fixed"
    assert barcode_type("KTBS-200") == "code128"
    svg = barcode_svg("8991234567891")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "899123" in svg
