"""The demo file of 500 invitations imported as the admin's request does it: checked, then
every invitation and its e-mail written in one transaction (then rolled back, so that each
round starts from the same database). Prints the time of the check and of the whole import,
best of `--repeat`, on a fresh migrated SQLite database with the reference territories.
Run: ``.venv/bin/python benchmarks/invitation_import.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: E402

from service.accounts.auth import Principal  # noqa: E402
from service.accounts.invitation_import import check_invitations, parse_invitations  # noqa: E402
from service.accounts.members import create_user  # noqa: E402
from service.demo.invitations import DEMO_INVITATIONS  # noqa: E402
from service.mail.postman import Postman  # noqa: E402
from service.mail.queue import LocalQueue  # noqa: E402
from service.mail.use_cases import import_and_send  # noqa: E402
from service.platform.db import make_engine, session_scope, upgrade  # noqa: E402
from service.platform.settings import load_settings  # noqa: E402
from service.territories.directory import load_territories  # noqa: E402


async def measure(data_dir: Path, repeat: int) -> tuple[float, float, int]:
    """Best times of the check alone and of the whole import, and how many were invited."""
    settings = load_settings({}, data_dir=data_dir)
    upgrade(settings)
    async with session_scope(settings) as session:
        await load_territories(session)
    text = DEMO_INVITATIONS.read_text(encoding="utf-8")
    engine = make_engine(settings.effective_database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    queue = LocalQueue(settings)  # never started: nothing is sent, the rows are rolled back
    checks, imports, created = [], [], 0
    for _ in range(repeat):
        async with sessions() as session:
            admin = await create_user(session, "admin.bench@example.org", "admin")
            who = Principal(admin.id, admin.email, "", "admin", None, "session")
            started = time.perf_counter()
            await check_invitations(session, parse_invitations(text))
            checks.append(time.perf_counter() - started)
            started = time.perf_counter()
            _, done = await import_and_send(
                session, who, Postman(settings, queue), text, "http://x"
            )
            await session.flush()
            imports.append(time.perf_counter() - started)
            created = len(done)
            await session.rollback()
    await engine.dispose()
    return min(checks), min(imports), created


def main() -> None:
    """Parse the arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        check, whole, created = asyncio.run(measure(Path(tmp), args.repeat))
    print(f"invitations créées : {created}")
    print(f"contrôle seul : {check:.3f} s ; import complet (contrôle compris) : {whole:.3f} s")


if __name__ == "__main__":
    main()
