"""The ``territoires`` command: one entry point, subcommands registered by each package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


COMMAND_MODULES = (
    "service.cli.scoring",
    "service.cli.db",
    "service.cli.knowledge",
    "service.cli.assistant",
)
"""Modules providing ``register(subparsers)``; each package adds its own here."""


def _registrars() -> list[Register]:
    """Each command module's `register`, imported at call time to keep start-up light."""
    import importlib

    return [importlib.import_module(name).register for name in COMMAND_MODULES]


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="territoires",
        description="Territoires connectés : auto-évaluation, parangonnage et assistant.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for register in _registrars():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen subcommand; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from maturity.mapping import MappingError
    from maturity.model import ModelError
    from service.platform.db import DatabaseNotReadyError
    from service.platform.settings import SettingsError

    try:
        status: int = args.func(args)
    except (ModelError, MappingError, SettingsError, DatabaseNotReadyError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
