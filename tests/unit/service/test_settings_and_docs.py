"""Settings from the environment, and the README documenting every setting and command."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

import pytest

from service.cli.main import build_parser
from service.platform.settings import Settings, SettingsError, load_settings, setting_names

README = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.effective_model_file.name == "2027.1.toml"  # the edition in force


def test_values_are_read_and_converted() -> None:
    settings = load_settings(
        {"TERRITOIRES_PORT": "9001", "TERRITOIRES_DATA_DIR": "/srv/tc", "OTHER": "x"}
    )
    assert settings.port == 9001
    assert settings.data_dir == Path("/srv/tc")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TERRITOIRES_PORT": "huit"}, "TERRITOIRES_PORT"),
        ({"TERRITOIRES_ENV": "staging"}, "TERRITOIRES_ENV"),
        ({"TERRITOIRES_ENV": "production"}, "TERRITOIRES_SECRET_KEY doit être défini"),
        (
            {"TERRITOIRES_ENV": "production", "TERRITOIRES_SECRET_KEY": "abcde"},
            "TERRITOIRES_SECRET_KEY est trop faible",
        ),
        (
            {"TERRITOIRES_ENV": "production", "TERRITOIRES_SECRET_KEY": "motdepasse" * 4},
            "au moins 32 octets aléatoires",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_a_random_secret_of_32_bytes_is_accepted_in_production() -> None:
    secret = secrets.token_hex(32)
    settings = load_settings({"TERRITOIRES_ENV": "production", "TERRITOIRES_SECRET_KEY": secret})
    assert settings.secret_key == secret


@pytest.mark.parametrize("name", setting_names())
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in README


def subcommands(parser: argparse.ArgumentParser, prefix: str = "territoires") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found.extend(subcommands(sub, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize("command", subcommands(build_parser()))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in README
