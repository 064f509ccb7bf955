"""jathil-order on real parts without HTTP: a shop (an approved seller's product, a buyer, the officers),
orders started exactly as the API starts them (the form checked, `prepare` reserving the stock in a
session, start_case), and the ledger check every order test ends with."""

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client

from api.documents import Incoming, check_files, store_all
from core.cases import start_case
from core.config import Settings
from core.forms import check
from core.ledger import negative_escrows, totals
from core.models import User
from core.models_jathil import StockRelease
from core.users import person
from tests.utils.factories import make_user
from tests.utils.jathil import add_product, approve_seller, order_form, png
from workflows.jathil_order import DEFINITION, PROOF, SOP, OrderForm, prepare

ORDER = DEFINITION.id


@dataclass
class Shop:
    engine: Engine
    seller: User
    buyer: User
    verifier: User  # admin_bidang: verifies transactions
    main_admin: User  # admin_utama: releases payments, resolves complaints
    product: int
    stock: int


def open_shop(engine: Engine, stock: int = 5, price: int = 15000) -> Shop:
    seller = make_user(engine, "umkm")
    approve_seller(engine, seller)
    return Shop(engine, seller, make_user(engine, "pembeli"), make_user(engine, "admin_bidang", "ponorogo"),
                make_user(engine, "admin_utama", "ponorogo"), add_product(engine, seller, price=price, stock=stock),
                stock)


def order_data(shop: Shop, **form: object) -> dict:
    """The case data the API builds: the checked form, priced and its stock reserved by the intake."""
    checked = check(OrderForm, order_form(shop.product, **form))  # type: ignore[arg-type]
    assert not checked.errors, checked.errors
    with Session(shop.engine, expire_on_commit=False) as session:
        return prepare(session, shop.buyer, checked.data)


async def place_order(client: Client, settings: Settings, shop: Shop, proof: bool = False, **form: object) -> str:
    """Starts an order as POST /api/v1/sops/jathil-order/cases does; `proof`: the transfer proof comes along."""
    data = order_data(shop, **form)
    documents = []
    if proof:
        accepted, errors = check_files(DEFINITION, [Incoming(PROOF, "bukti.png", png(), ("body", PROOF))], settings)
        assert not errors, errors
        documents = store_all(settings, accepted, person(shop.buyer))
    return await start_case(client, settings, shop.engine, sop=ORDER, applicant=person(shop.buyer), data=data,
                            title=SOP.intake.title(data), documents=documents)


def stock_releases(engine: Engine, case_id: str) -> list[StockRelease]:
    with Session(engine) as session:
        return list(session.exec(select(StockRelease).where(col(StockRelease.case_id) == case_id)))


def assert_ledger_balanced(engine: Engine) -> None:
    """After every order test: the entries sum to zero and no case's escrow is below zero."""
    with Session(engine) as session:
        assert sum(totals(session).values()) == 0 and negative_escrows(session) == []
