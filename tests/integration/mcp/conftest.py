"""Fixtures of the MCP tests: a real server over prepared data."""

from tests.integration.ai_server import serve, served_template

__all__ = ["serve", "served_template"]
