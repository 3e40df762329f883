"""The container files, checked without a Docker engine: the Dockerfile by hadolint, the
compose file by loading its configuration into the service's own settings."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.platform.settings import PREFIX, Settings, load_settings, setting_names

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(__file__).parents[3] / ".venv/bin/hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint absent : il fait partie des dépendances de développement")
    return found


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_unprivileged_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    final = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER 10001", final, re.M)
    assert "HEALTHCHECK" in final and "/health" in final
    assert "gcc" not in final and "build-essential" not in final
    assert "-c constraints.txt" in text  # reproducible from the lock file


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def expand(value: str, env: dict[str, str]) -> str:
    """Docker compose's ${VAR}, ${VAR:-default} and ${VAR:?message}."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if name in env:
            return env[name]
        if op == ":-":
            return arg or ""
        raise KeyError(f"{name} : {arg}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def app_settings(service: str, secret: str = "0123456789abcdef" * 4) -> Settings:
    env = compose()["services"][service]["environment"]
    values = {k: expand(str(v), {"TERRITOIRES_SECRET_KEY": secret}) for k, v in env.items()}
    return load_settings(values)


@pytest.mark.parametrize("service", ["app1", "app2", "prepare", "worker"])
def test_every_app_service_configures_production(service: str) -> None:
    env = compose()["services"][service]["environment"]
    assert set(env) <= set(setting_names()), set(env) - set(setting_names())
    settings = app_settings(service)
    assert settings.env == "production"
    assert settings.effective_database_url.startswith("postgresql+asyncpg://")
    assert settings.chroma_url == "http://chroma:8000"
    assert settings.redis_url and settings.workers == 2


def test_only_the_proxy_is_trusted_with_forwarded_headers() -> None:
    services = compose()["services"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    for service in ("app1", "app2"):
        assert app_settings(service).trusted_proxies == proxy_address
    subnet = compose()["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)


def test_compose_refuses_to_start_without_a_secret() -> None:
    env = compose()["services"]["app1"]["environment"]
    with pytest.raises(KeyError, match="TERRITOIRES_SECRET_KEY"):
        expand(env[f"{PREFIX}SECRET_KEY"], {})


def test_proxy_balances_both_replicas_and_streams() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server app1:8000" in conf and "server app2:8000" in conf
    assert "proxy_buffering off" in conf  # the assistant's Server-Sent Events
    services = compose()["services"]
    assert services["proxy"]["depends_on"] == ["app1", "app2"]
    assert services["prepare"]["command"] == ["prepare"]


def test_the_mail_worker_runs_the_saq_queue_of_the_app_services() -> None:
    import importlib

    worker = compose()["services"]["worker"]
    assert worker["entrypoint"] == ["python", "-m", "service.mail.worker"]
    assert worker["command"] == [] and worker["healthcheck"] == {"disable": True}
    assert set(worker["depends_on"]) == {"prepare", "redis"}
    settings = app_settings("worker")
    assert settings == app_settings("app1")  # the same database, Redis, sender and links
    assert settings.redis_url and settings.public_url == "http://localhost:8080"
    module = importlib.import_module("service.mail.worker")
    built = module.mail_worker(settings)  # builds without connecting
    assert set(built.functions) == {"deliver", "reminders"}
    assert [job.cron for job in built.cron_jobs] == ["7 * * * *"]


def test_compose_leaves_smtp_unset_unless_given() -> None:
    assert app_settings("worker").smtp_host is None
    env = compose()["services"]["worker"]["environment"]
    given = {
        k: expand(
            str(v),
            {
                "TERRITOIRES_SECRET_KEY": "0123456789abcdef" * 4,
                "TERRITOIRES_SMTP_HOST": "smtp.example.org",
            },
        )
        for k, v in env.items()
    }
    settings = load_settings(given)
    assert settings.smtp_host == "smtp.example.org" and settings.smtp_tls == "starttls"
