"""Helpers of the browser tests: logging in through the form, screenshots and the axe-core
accessibility check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from maturity.model import DEFAULT_MODEL_PATH, load_model
from service.demo.synthetic import DEMO_ACCOUNTS, campaign_plan

PLAN = campaign_plan(load_model(DEFAULT_MODEL_PATH))
OPEN_YEAR = next(year for year, status, _ in PLAN if status == "open")
"""The campaign the demo leaves open (2027 with the default edition): the one members start."""

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
ACCOUNTS = {role: (email, password) for email, password, role, _ in DEMO_ACCOUNTS}
"""The demo accounts' (email, password), by role."""


def sign_in(page: Any, email: str, password: str) -> None:
    """Log in through the form and wait for the account's space."""
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace")


def log_in(page: Any, role: str = "member") -> None:
    """Log in through the form as the demo account of `role`."""
    sign_in(page, *ACCOUNTS[role])


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_folds(page: Any) -> None:
    """Open every closed fold (``<details>``) of the page by clicking its summary, as a
    reader would."""
    closed = page.locator("details:not([open]) > summary:visible")
    for _ in range(50):  # the folds inside a fold become visible once it opens
        if not closed.count():
            return
        closed.first.click()
    raise AssertionError("a fold does not open")


WIDTHS = (390, 1366)
"""Viewport widths every page is checked at: a phone and a laptop."""


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """axe-core violations of any impact (WCAG 2.x A and AA rules, best practices) on the
    current page at its current size."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's strict CSP (no inline script)
        # stays on, so the tests also see what a real visitor's browser would block
        page.evaluate(f"{source}\n;true")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return list(result)


def assert_accessible(page: Any, source: str) -> None:
    """No accessibility violation, whatever its impact, on the current page at 390 px and at
    1366 px wide (the viewport is put back as it was)."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    found = {}
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": before["height"]})
            violations = axe_violations(page, source)
            if violations:
                found[width] = violations
    finally:
        page.set_viewport_size(before)
    assert not found, f"{page.url} :\n{json.dumps(found, indent=2, ensure_ascii=False)}"


def console_errors(page: Any) -> list[str]:
    """A list that collects the page's console errors from now on (a blocked script or style
    under the CSP shows up there)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def check_widths(page: Any, axe_source: str, name: str) -> None:
    """Check accessibility and take a screenshot at each of `WIDTHS`; the viewport ends at
    1366 × 900."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, axe_source)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})
