"""`Encoded`: the body the API sends for a benchmark, and If-None-Match against its ETag."""

from __future__ import annotations

import msgspec
import pytest

from service.peers.views import Encoded, PeerRef


def test_the_body_is_the_json_of_the_struct_and_the_tag_follows_it() -> None:
    one = Encoded.of(PeerRef("49007", "Angers", 63.74))
    assert msgspec.json.decode(one.body) == {"code": "49007", "name": "Angers", "value": 63.74}
    assert one.etag.startswith('W/"') and one.etag.endswith('"')
    assert Encoded.of(PeerRef("49007", "Angers", 63.74)).etag == one.etag
    assert Encoded.of(PeerRef("49007", "Angers", 63.75)).etag != one.etag


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("{tag}", True),
        ("{strong}", True),  # weak comparison: W/ is ignored
        ('"autre", {tag}', True),
        ("*", True),
        ('"autre"', False),
    ],
)
def test_if_none_match(header: str | None, expected: bool) -> None:
    encoded = Encoded.of([1, 2, 3])
    strong = encoded.etag.removeprefix("W/")
    value = header.format(tag=encoded.etag, strong=strong) if header is not None else None
    assert encoded.matches(value) is expected
