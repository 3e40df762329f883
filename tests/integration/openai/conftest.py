"""Fixtures of the OpenAI-compatible facade tests: real servers over prepared data."""

from tests.integration.ai_server import serve, served_template

__all__ = ["serve", "served_template"]
