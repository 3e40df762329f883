"""PDF documents (the synthesis for élus, the national barometer) laid out by WeasyPrint from
rendered HTML whose styles are inline.

WeasyPrint fetches nothing but ``data:`` URLs, so a PDF never touches the network or the
file system; it is imported on first use (Pango loads only when a PDF is asked) and runs in a
worker thread, so that the event loop never waits on it (a few hundred milliseconds)."""

from __future__ import annotations

from anyio import to_thread

__all__ = ["pdf_of", "render_pdf"]


def render_pdf(html: str) -> bytes:
    """The PDF of the rendered HTML document `html` (blocking: see `pdf_of`)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())


async def pdf_of(html: str) -> bytes:
    """`render_pdf` in a worker thread."""
    return await to_thread.run_sync(render_pdf, html)
