"""The notice of a published barometer edition, delivered to a real SMTP server on loopback:
every active member who did not opt out gets it once, with the edition's link; an analyst,
a member who opted out, one not yet signed up and a deactivated one get nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from service.accounts.auth import Principal, utcnow
from service.barometer.publication import publish_edition
from service.mail.optout import opt_out
from service.mail.postman import Postman
from service.mail.queue import LocalQueue
from service.platform.db import make_engine
from service.platform.db.tables import BarometerEdition, Campaign, OutboxMessage, Territory, User
from service.platform.errors import ConflictError
from service.platform.settings import Settings, load_settings
from tests.integration.service.conftest import provision
from tests.integration.service.smtp_server import Recorder, smtp_server

YEAR = 2031


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A migrated SQLite database for this module."""
    settings, cleanup = provision("sqlite", tmp_path_factory.mktemp("notice"))
    yield settings
    cleanup()


def account(email: str, role: str, *, active: bool = True, signed_up: bool = True) -> User:
    """An account row (the password hash is only ever checked for being set here)."""
    return User(id=uuid.uuid4(), email=email, name="", role=role,
                territory_code="64122" if role == "member" else None,
                password_hash="set" if signed_up else None, active=active, synthetic=True,
                created_at=utcnow())  # fmt: skip


async def test_publishing_mails_the_members_who_did_not_opt_out(database: Settings) -> None:
    recorder = Recorder()
    engine = make_engine(database.effective_database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    with smtp_server(recorder) as port:
        settings = load_settings({}, data_dir=database.data_dir, smtp_host="127.0.0.1",
                                 smtp_port=port, smtp_tls="none",
                                 public_url="https://barometre.example.org/")  # fmt: skip
        queue = LocalQueue(settings)
        await queue.start(sessions)
        try:
            async with sessions() as session:
                session.add(Territory(code="64122", name="Biarritz", search_name="biarritz",
                                      kind="commune"))  # fmt: skip
                session.add(Campaign(year=YEAR, status="closed", created_at=utcnow(),
                                     closed_at=utcnow(), model_version="2026.1"))  # fmt: skip
                admin = account("admin@example.org", "admin")
                session.add_all([
                    admin,
                    account("a@example.org", "member"),
                    account("b@example.org", "member"),
                    account("quiet@example.org", "member"),
                    account("gone@example.org", "member", active=False),
                    account("later@example.org", "member", signed_up=False),
                    account("analyst@example.org", "analyst"),
                ])  # fmt: skip
                await session.flush()
                session.add(BarometerEdition(year=YEAR, status="review", prepared_at=utcnow(),
                                             prepared_by=admin.id, content={}))  # fmt: skip
                await opt_out(session, "quiet@example.org")
                who = Principal(admin.id, admin.email, "", "admin", None, "session")
                await publish_edition(session, who, YEAR, Postman(settings, queue))
                await session.commit()
            await queue.drain()
            async with sessions() as session:
                with pytest.raises(ConflictError):  # published once: never a second notice
                    await publish_edition(session, who, YEAR, Postman(settings, queue))
                logged = (await session.execute(select(OutboxMessage))).scalars().all()
        finally:
            await queue.close()
            await engine.dispose()
    assert sorted(m["To"] for m in recorder.received) == ["a@example.org", "b@example.org"]
    assert {(r.kind, r.status, r.campaign_year) for r in logged} == {("notice", "sent", YEAR)}
    message = recorder.received[0]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"Le baromètre national {YEAR} est publié" in text
    assert f"https://barometre.example.org/barometre/{YEAR}" in text
    assert "/courriels/desinscription/" in message["List-Unsubscribe"]
