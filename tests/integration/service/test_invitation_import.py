"""The 500 demo invitations imported on a fresh database with the reference territories:
every row valid, all created in one transaction with their e-mails logged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from service.accounts.auth import Principal, utcnow
from service.accounts.invitation_import import (
    check_invitations,
    import_invitations,
    parse_invitations,
)
from service.accounts.members import create_user, invitation_for_token
from service.demo.invitations import DEMO_INVITATIONS
from service.mail.postman import Postman
from service.mail.queue import LocalQueue
from service.mail.use_cases import import_and_send
from service.platform.db import make_engine
from service.platform.db.tables import Invitation, OutboxMessage, Territory
from service.platform.settings import Settings, load_settings
from tests.integration.service.conftest import load_reference_territories, provision


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A migrated SQLite database with the reference territories and nothing else."""
    settings, cleanup = provision("sqlite", tmp_path_factory.mktemp("import"))
    load_reference_territories(settings)
    yield settings
    cleanup()


async def test_the_500_demo_invitations_are_created_in_one_transaction(fresh: Settings) -> None:
    text = DEMO_INVITATIONS.read_text(encoding="utf-8")
    engine = make_engine(fresh.effective_database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    settings = load_settings({}, data_dir=fresh.data_dir)
    queue = LocalQueue(settings)
    await queue.start(sessions)
    try:
        async with sessions() as session:
            report = await check_invitations(session, parse_invitations(text))
            assert (report.valid, report.rejected) == (500, 0)
            assert all(row.territory_name for row in report.rows if row.territory_code)
            admin = await create_user(session, "admin.import@example.org", "admin")
            who = Principal(admin.id, admin.email, "", "admin", None, "session")
            report, created = await import_and_send(
                session, who, Postman(settings, queue), text, "http://demo.local"
            )
            assert len(created) == 500
            await session.rollback()  # one transaction: nothing was kept
        async with sessions() as session:
            assert await _count(session, Invitation) == 0
            assert await _count(session, OutboxMessage) == 0
            admin = await create_user(session, "admin.import@example.org", "admin")
            who = Principal(admin.id, admin.email, "", "admin", None, "session")
            await import_and_send(session, who, Postman(settings, queue), text, "http://x")
            await session.commit()
        await queue.drain()
        async with sessions() as session:
            assert await _count(session, Invitation) == 500
            statuses = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            assert dict(statuses.all()) == {"skipped": 500}  # no SMTP server here
            again = await check_invitations(session, parse_invitations(text))
            assert again.valid == 0  # now every territory is covered, every analyst invited
            assert again.by_problem == {"territory_covered": 495, "already_invited": 5}
    finally:
        await queue.close()
        await engine.dispose()


async def test_an_expired_invitation_is_replaced_and_its_account_updated(fresh: Settings) -> None:
    engine = make_engine(fresh.effective_database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    demo = DEMO_INVITATIONS.read_text(encoding="utf-8")
    try:
        async with sessions() as session:
            codes = (
                await session.execute(select(Territory.code).order_by(Territory.code))
            ).scalars()
            code = next(c for c in codes if f"{c}," not in demo)  # a territory nobody covers
            admin = await create_user(session, "admin.again@example.org", "admin")
            who = Principal(admin.id, admin.email, "", "admin", None, "session")
            old = await create_user(session, "late@example.org", "analyst", name="Ancien nom")
            expired = Invitation(id=uuid.uuid4(), user_id=old.id, token_hash="x" * 64,
                                 created_by=admin.id, created_at=utcnow() - timedelta(days=30),
                                 expires_at=utcnow() - timedelta(days=16))  # fmt: skip
            session.add(expired)
            await session.flush()
            text = f"code,email,role,nom\n{code},LATE@example.org,membre,Nouveau nom\n"
            report, created = await import_invitations(session, who, text)
            assert (report.valid, len(created)) == (1, 1)
            (new,) = created
            assert new.invitation.user.id == old.id and new.invitation.status == "pending"
            await session.refresh(old)
            await session.refresh(expired)
            assert (old.role, old.territory_code, old.name) == ("member", code, "Nouveau nom")
            assert expired.revoked_at is not None
            pending = await invitation_for_token(session, new.token)
            assert pending.id == new.invitation.id and pending.user.email == "late@example.org"
            await session.rollback()
    finally:
        await engine.dispose()


async def _count(session: object, table: type) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[attr-defined]
