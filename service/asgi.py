"""ASGI entry point for servers started by path (``service.asgi:app``), settings from the env."""

from service.app import create_app

app = create_app()
