"""Production shape: prod settings pass Django's deployment checklist, refuse to start without a
secret, and docker-compose.yml / Dockerfile describe the services the app needs. (No Docker engine
runs here, so the files are checked by reading them.)"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")


def _prod_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="focus_lab.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # 67 characters
        DJANGO_ALLOWED_HOSTS="focuslab.example",
    )
    env.update(overrides)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prod_settings_pass_check_deploy():
    result = _manage(_prod_env(), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_prod_settings_refuse_to_start_without_a_secret_key():
    env = _prod_env()
    del env["DJANGO_SECRET_KEY"]

    result = _manage(env, "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml")  # PyYAML comes with drf-spectacular
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_names_every_service(compose):
    assert set(compose["services"]) >= {"web", "worker", "beat", "postgres", "redis"}
    assert compose["services"]["postgres"]["image"] == "postgres:15"
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_compose_app_services_run_prod_settings_from_the_environment(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "focus_lab.settings.prod", name
        for key in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
            assert env.get(key), f"{name} lacks {key}"
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        # The secret is never baked in: compose refuses to start without it.
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_commands(compose):
    services = compose["services"]
    web = " ".join(services["web"]["command"])
    assert web.index("migrate --noinput") < web.index("collectstatic --noinput") < web.index("gunicorn")
    assert "focus_lab.wsgi:application" in web
    assert services["worker"]["command"].startswith("celery -A focus_lab worker")
    assert services["beat"]["command"].startswith("celery -A focus_lab beat")
    assert "replicas" not in str(services["beat"].get("deploy", {}))  # exactly one beat
    for name in APP_SERVICES:
        needs = services[name]["depends_on"]
        assert all(dep["condition"] == "service_healthy" for dep in needs.values()), name
    assert set(services["worker"]["depends_on"]) >= {"web", "redis"}  # web migrates first


def test_compose_healthchecks(compose):
    for name, service in compose["services"].items():
        test = service["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"}, name
        if test[:3] == ["CMD", "python", "-c"]:
            compile(test[3], f"<{name} healthcheck>", "exec")  # the inline probes are valid Python
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_dockerfile_copies_every_package_and_installs_it():
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in dockerfile
    assert re.search(r"\bpip install \.", dockerfile)
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, re.M))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert packages | {"templates", "static"} <= copied
    for path in copied:
        assert (ROOT / path).exists(), path


def test_web_is_reached_only_through_the_proxy(compose):
    """Only the proxy publishes ports; gunicorn and Django trust forwarded headers from the
    proxy's fixed address alone, so a client cannot pose as another address to the lock-out."""
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "ports" not in services["web"]
    proxy_ip = proxy["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_ip) in ipaddress.ip_network(subnet)
    web = " ".join(services["web"]["command"])
    assert re.search(rf"--forwarded-allow-ips {re.escape(proxy_ip)}(\s|$)", web)
    for name in APP_SERVICES:
        assert services[name]["environment"]["DJANGO_TRUSTED_PROXIES"] == proxy_ip, name
    mounted = {volume.split(":")[0] for volume in proxy["volumes"]}
    assert "./deploy/Caddyfile" in mounted
    assert "reverse_proxy web:8000" in (ROOT / "deploy" / "Caddyfile").read_text()
