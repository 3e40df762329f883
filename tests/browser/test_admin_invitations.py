"""Invitations by the hundred in Chromium, with e-mail for real: the demo admin imports the
500-invitation demo file, reads the validation report, sends, copies a link, and follows the
sends in the e-mail log while a real SMTP server on loopback receives them.

The session's shared server has no mail server and other tests read its accounts: this module
runs a second `territoires serve` on a copy of its prepared database, sending to its own
aiosmtpd server."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.demo.invitations import DEMO_INVITATIONS
from tests.browser.conftest import _free_port, serve
from tests.browser.support import check_widths, console_errors, log_in
from tests.integration.service.smtp_server import Recorder, smtp_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def catcher() -> Iterator[tuple[Recorder, int]]:
    """The mail catcher: a real SMTP server on loopback."""
    recorder = Recorder()
    with smtp_server(recorder) as port:
        yield recorder, port


@pytest.fixture(scope="module")
def mailing_server(
    server_env: dict[str, str],
    catcher: tuple[Recorder, int],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A server of its own on a copy of the prepared demo database, sending e-mails."""
    source = Path(server_env["TERRITOIRES_DATA_DIR"])
    data = tmp_path_factory.mktemp("mailing-data")
    database = source / "territoires.sqlite3"
    with sqlite3.connect(database) as live, sqlite3.connect(data / database.name) as copy:
        live.backup(copy)  # consistent even while the shared server runs
    for child in source.iterdir():
        if child.is_dir() and child.name != "sessions":
            shutil.copytree(child, data / child.name)
    port = _free_port()
    env = server_env | {
        "TERRITOIRES_DATA_DIR": str(data),
        "TERRITOIRES_SMTP_HOST": "127.0.0.1",
        "TERRITOIRES_SMTP_PORT": str(catcher[1]),
        "TERRITOIRES_SMTP_TLS": "none",
        "TERRITOIRES_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with serve(env, data / "serve.log", port) as url:
        yield url


def test_import_500_invitations_report_send_and_follow_the_mail(
    browser: Any, mailing_server: str, catcher: tuple[Recorder, int], axe_source: str
) -> None:
    context = browser.new_context(
        base_url=mailing_server, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mailing_server)
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors = console_errors(page)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    try:
        log_in(page, "admin")

        page.goto("/admin/invitations/import")
        check_widths(page, axe_source, "invitations-import")
        page.get_by_label("Fichier CSV").set_input_files(str(DEMO_INVITATIONS))
        page.get_by_role("button", name="Vérifier le fichier").click()
        page.wait_for_url("**/admin/invitations/import/verifier")
        status = page.locator("main [role=status]").inner_text()
        assert "500 invitation(s) prête(s) à envoyer, 0 ligne(s) écartée(s)" in status, status
        territory = page.locator("table tbody tr").first.locator("td").nth(1).inner_text()
        assert territory == "Anglefort", territory  # names, never bare codes
        check_widths(page, axe_source, "invitations-rapport")

        page.get_by_role("button", name="Créer et envoyer les 500 invitations").click()
        page.wait_for_url("**/admin/invitations/import/envoyer")
        assert "500 invitation(s) créée(s)" in page.locator("main .notice").inner_text()
        first = page.locator("button[data-copy]").first
        assert first.is_visible()  # shown by the script; hidden without it
        first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("input[readonly]").first.input_value()
        assert "/invitation/inv_" in copied
        assert page.locator("#copy-status").inner_text() == "Lien copié."
        check_widths(page, axe_source, "invitations-envoyees")

        recorder = catcher[0]
        for _ in range(600):  # a bound on the wait, not a timing assertion
            if len(recorder.received) >= 500:
                break
            page.wait_for_timeout(100)
        assert len(recorder.received) == 500
        page.goto("/admin/courriels?statut=sent")
        assert "Envoyé (500)" in page.locator("main").inner_text()
        check_widths(page, axe_source, "courriels-journal")
        assert [e for e in errors if "Content Security Policy" in e] == []
        assert missing == []  # every page and script answered (the favicon aside)
    finally:
        context.close()
