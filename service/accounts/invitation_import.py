"""Invitations by the hundred: a CSV file (territory code, e-mail, role[, name]) checked row by
row before anything is created, then every valid row invited in the caller's transaction, in bulk.

The report states, for each row, the territory's name and why it is left out: unknown code,
malformed address, an address twice in the file, an address that already has an account, a
territory already covered (an active member, or a pending invitation), a role without or with
a territory where it should not. Commas, semicolons and tabs are all accepted as separators;
a header row, blank lines and lines starting with ``#`` are skipped."""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import msgspec
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, Role, new_secret, require_role, secret_hash, utcnow
from service.accounts.members import InvitationCreated, InvitationView, is_email, user_view
from service.platform.db.tables import Invitation, Territory, User
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_, MessageId

__all__ = [
    "PROBLEMS",
    "ImportReport",
    "ImportRow",
    "Problem",
    "check_invitations",
    "import_invitations",
    "parse_invitations",
]

Problem = Literal[
    "unknown_territory",
    "malformed_email",
    "duplicate_email",
    "has_account",
    "already_invited",
    "territory_covered",
    "territory_required",
    "territory_forbidden",
    "unknown_role",
]
PROBLEMS: Final[dict[str, MessageId]] = {
    "unknown_territory": N_("code de territoire inconnu"),
    "malformed_email": N_("adresse électronique mal formée"),
    "duplicate_email": N_("adresse déjà présente plus haut dans le fichier"),
    "has_account": N_("cette adresse a déjà un compte actif"),
    "already_invited": N_("cette adresse a déjà une invitation en cours"),
    "territory_covered": N_("territoire déjà couvert (membre actif ou invitation en cours)"),
    "territory_required": N_("un membre doit avoir un code de territoire"),
    "territory_forbidden": N_("seuls les membres ont un territoire"),
    "unknown_role": N_("rôle inconnu (member, analyst ou admin)"),
}
ROLE_NAMES: Final[dict[str, Role]] = {
    "": "member",
    "member": "member",
    "membre": "member",
    "analyst": "analyst",
    "analyste": "analyst",
    "admin": "admin",
    "administrateur": "admin",
}
_HEADER_WORDS: Final = ("email", "courriel", "mail", "adresse")


class ImportRow(msgspec.Struct):
    """One row of the file and its verdict (no problem: it will be invited)."""

    line: int
    territory_code: str
    territory_name: str | None
    email: str
    role: str
    name: str = ""
    problems: list[Problem] = msgspec.field(default_factory=list)


class ImportReport(msgspec.Struct):
    """The rows of a file, and how many will be invited."""

    rows: list[ImportRow]
    valid: int
    rejected: int
    by_problem: dict[str, int]

    @property
    def valid_rows(self) -> list[ImportRow]:
        """The rows to invite."""
        return [row for row in self.rows if not row.problems]


def parse_invitations(text: str) -> list[ImportRow]:
    """The file's rows, numbered as in the file, unchecked (422 when there are none)."""
    lines = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise InvalidInputError(N_("Le fichier ne contient aucune ligne d'invitation."))
    delimiter = max((",", ";", "\t"), key=lambda d: lines[0][1].count(d))
    rows: list[ImportRow] = []
    for position, (number, line) in enumerate(lines):
        cells = [c.strip() for c in next(csv.reader([line], delimiter=delimiter))] + [""] * 4
        if position == 0 and any(w in cells[1].lower() for w in _HEADER_WORDS):
            continue
        code, email, role, name = cells[0].upper(), cells[1].lower(), cells[2].lower(), cells[3]
        rows.append(ImportRow(number, code, None, email, role, name))
    if not rows:
        raise InvalidInputError(N_("Le fichier ne contient aucune ligne d'invitation."))
    return rows


async def check_invitations(session: AsyncSession, rows: list[ImportRow]) -> ImportReport:
    """Check every row against the file itself and the database (nothing is written)."""
    codes = sorted({r.territory_code for r in rows if r.territory_code})
    emails = sorted({r.email for r in rows})
    names = await _names(session, codes)
    accounts = await _active_accounts(session, emails)
    invited = await _invited(session, emails)
    covered = await _covered(session, codes)
    seen: Counter[str] = Counter()
    for row in rows:
        row.territory_name = names.get(row.territory_code)
        seen[row.email] += 1
        row.problems = _problems(row, names, (accounts, invited, covered), seen[row.email] > 1)
    by_problem: Counter[str] = Counter(p for row in rows for p in row.problems)
    rejected = sum(1 for row in rows if row.problems)
    return ImportReport(rows, len(rows) - rejected, rejected, dict(by_problem))


def _problems(
    row: ImportRow,
    names: dict[str, str],
    known: tuple[set[str], set[str], set[str]],
    duplicate: bool,
) -> list[Problem]:
    """Why `row` cannot be invited; `known`: addresses with an account, addresses invited,
    territories covered."""
    accounts, invited, covered = known
    problems: list[Problem] = []
    role = ROLE_NAMES.get(row.role)
    if role is None:
        problems.append("unknown_role")
    elif role == "member" and not row.territory_code:
        problems.append("territory_required")
    elif role != "member" and row.territory_code:
        problems.append("territory_forbidden")
    if row.territory_code and row.territory_code not in names:
        problems.append("unknown_territory")
    elif row.territory_code in covered:
        problems.append("territory_covered")
    if not is_email(row.email):
        problems.append("malformed_email")
    elif duplicate:
        problems.append("duplicate_email")
    elif row.email in accounts:
        problems.append("has_account")
    elif row.email in invited and "territory_covered" not in problems:
        problems.append("already_invited")
    return problems


async def _names(session: AsyncSession, codes: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        rows = await session.execute(
            select(Territory.code, Territory.name).where(
                Territory.code.in_(codes[start : start + 500])
            )
        )
        found.update({code: name for code, name in rows})
    return found


async def _active_accounts(session: AsyncSession, emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        rows = await session.execute(
            select(User.email).where(
                User.email.in_(emails[start : start + 500]), User.password_hash.is_not(None)
            )
        )
        found.update(rows.scalars())
    return found


async def _invited(session: AsyncSession, emails: list[str]) -> set[str]:
    """Addresses with an invitation neither used, revoked nor expired."""
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        rows = await session.execute(
            select(User.email)
            .join(Invitation, Invitation.user_id == User.id)
            .where(User.email.in_(emails[start : start + 500]))
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .where(Invitation.expires_at > utcnow())
        )
        found.update(rows.scalars())
    return found


async def _covered(session: AsyncSession, codes: list[str]) -> set[str]:
    """Territories with an active member, or a member invited and not yet expired."""
    found: set[str] = set()
    now = utcnow()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        members = select(User.territory_code).where(
            User.territory_code.in_(chunk),
            User.role == "member",
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
        invited = (
            select(User.territory_code)
            .join(Invitation, Invitation.user_id == User.id)
            .where(User.territory_code.in_(chunk), User.role == "member")
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .where(Invitation.expires_at > now)
        )
        found.update(c for c in (await session.execute(members.union(invited))).scalars() if c)
    return found


async def import_invitations(
    session: AsyncSession, principal: Principal | None, text: str, valid_days: int = 14
) -> tuple[ImportReport, list[InvitationCreated]]:
    """Check the file, then invite every valid row in the caller's transaction (admins only):
    the accounts and their invitations written in bulk, a few statements whatever the size
    of the file; the rows left out are in the report, untouched."""
    admin = require_role(principal, "admin")
    report = await check_invitations(session, parse_invitations(text))
    rows = report.valid_rows
    now = utcnow()
    users = await _accounts(session, rows, now)
    tokens = [new_secret("inv") for _ in rows]
    invitations = [
        Invitation(
            id=uuid.uuid4(),
            user_id=user.id,
            token_hash=secret_hash(token),
            created_by=admin.user_id,
            created_at=now,
            expires_at=now + timedelta(days=valid_days),
        )
        for user, token in zip(users, tokens, strict=True)
    ]
    await _insert(session, Invitation, invitations)
    created = [
        InvitationCreated(
            invitation=InvitationView(
                invitation.id, user_view(user), "pending", now, invitation.expires_at, None
            ),
            token=token,
            accept_path=f"/invitation/{token}",
        )
        for invitation, user, token in zip(invitations, users, tokens, strict=True)
    ]
    return report, created


async def _accounts(session: AsyncSession, rows: list[ImportRow], now: datetime) -> list[User]:
    """The account of each row: new ones inserted in bulk; those without a password yet
    (an invitation that expired or was revoked) updated, their pending invitations revoked."""
    existing: dict[str, User] = {}
    emails = [row.email for row in rows]
    for start in range(0, len(emails), 500):
        found = await session.execute(
            select(User).where(User.email.in_(emails[start : start + 500]))
        )
        existing.update((user.email, user) for user in found.scalars())
    users, new = [], []
    for row in rows:
        role, code, name = ROLE_NAMES[row.role], row.territory_code or None, row.name[:200]
        user = existing.get(row.email)
        if user is None:
            user = User(id=uuid.uuid4(), email=row.email, name=name, role=role,
                        territory_code=code, password_hash=None, active=True, synthetic=False,
                        created_at=now)  # fmt: skip
            new.append(user)
        else:
            user.role, user.territory_code, user.name = role, code, name or user.name
        users.append(user)
    await _insert(session, User, new)
    again = [user.id for user in existing.values()]
    for start in range(0, len(again), 500):
        await session.execute(
            update(Invitation)
            .where(Invitation.user_id.in_(again[start : start + 500]))
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return users


async def _insert(session: AsyncSession, table: type[User | Invitation], rows: list[Any]) -> None:
    """One bulk INSERT of `rows` (transient instances of `table`, every column set)."""
    if rows:
        columns = [c.key for c in table.__table__.columns]
        await session.execute(insert(table), [{c: getattr(r, c) for c in columns} for r in rows])
