"""The lead's list of respondents says which invitation an account claimed: the demo member
invites a partner at the analyst's address, the analyst claims it from their space, and the
lead's « Voix » page marks that row (checked with axe-core, photographed at 1366 and 390 px)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.support import ACCOUNTS, log_in
from tests.browser.test_voices import both_widths, current_assessment

pytestmark = pytest.mark.browser
LABEL = "Conseil de développement"


def test_the_lead_sees_the_claimed_invitation(
    browser: Any, live_server: str, axe_source: str
) -> None:
    lead = browser.new_context(base_url=live_server, locale="fr-FR").new_page()
    log_in(lead)
    assessment = current_assessment(lead)
    lead.goto(f"/evaluations/{assessment}/voix")
    lead.get_by_label("Rôle").select_option("partenaire")
    lead.get_by_label("Nom ou service").fill(LABEL)
    lead.get_by_label("Adresse e-mail (facultative)").fill(ACCOUNTS["analyst"][0])
    lead.get_by_role("button", name="Créer son lien personnel").click()
    row = lead.locator("tbody tr", has_text=LABEL)
    assert row.locator(".voice-claimed").count() == 0

    analyst = browser.new_context(base_url=live_server, locale="fr-FR").new_page()
    log_in(analyst, "analyst")
    analyst.goto("/espace/voix")
    card = analyst.locator("tbody tr", has_text=LABEL)
    card.get_by_role("button", name=re.compile("Rattacher à mon compte et répondre")).click()
    analyst.wait_for_url(re.compile(r"/espace/voix/[0-9a-f-]+$"))
    analyst.context.close()

    lead.goto(f"/evaluations/{assessment}/voix#repondants")
    row = lead.locator("tbody tr", has_text=LABEL)
    assert row.locator(".voice-claimed").inner_text() == "invitation liée à un compte"
    row.scroll_into_view_if_needed()
    both_widths(lead, "voix-invitation-rattachee", axe_source)
    lead.context.close()
