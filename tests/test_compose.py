"""The production stack as docker-compose.yml describes it, checked without Docker.

An operator gets every service with a health check, starts in the right order,
and finds no secret committed: passwords come from .env, which git ignores.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vitrina.cli import main

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"elasticsearch", "redis", "postgres", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN", re.IGNORECASE)
INTERPOLATION = re.compile(r"^\$\{[A-Z_]+(:?[-?][^}]*)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command(service: dict) -> list[str]:
    value = service["command"]
    return value.split() if isinstance(value, str) else list(value)


def test_the_stack_has_every_service(services):
    assert set(services) == SERVICES


def test_every_service_reports_its_health(services):
    for name, service in services.items():
        check = service.get("healthcheck", {}).get("test")
        assert check and check[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"


def test_app_services_wait_for_healthy_dependencies(services):
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert {dep: spec["condition"] for dep, spec in depends.items()} == {
            "elasticsearch": "service_healthy",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }, name
    assert services["beat"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_app_services_run_on_elasticsearch_postgres_and_redis(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["VITRINA_SEARCH_BACKEND"] == "elasticsearch"
        assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
        assert env["ELASTICSEARCH_USERNAME"] == "elastic"
        assert env["ELASTICSEARCH_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
        assert env["DATABASE_URL"] == "postgresql+psycopg://vitrina@postgres:5432/vitrina"
        assert env["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert "vitrina-data:/data" in services[name]["volumes"]


def test_commands_are_the_documented_ones(services):
    assert command(services["web"])[:4] == ["vitrina", "serve", "--host", "0.0.0.0"]
    assert command(services["worker"])[:4] == ["celery", "-A", "indexer.celery_app", "worker"]
    assert command(services["beat"])[:4] == ["celery", "-A", "indexer.celery_app", "beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1  # one scheduler only
    serve_help = CliRunner().invoke(main, ["serve", "--help"])
    assert (
        serve_help.exit_code == 0
        and "--host" in serve_help.output
        and "--port" in serve_help.output
    )


def test_ports_published(services):
    assert services["web"]["ports"] == ["${VITRINA_PORT:-8000}:8000"]
    # Elasticsearch only on the host's loopback; the databases not at all.
    assert services["elasticsearch"]["ports"] == ["127.0.0.1:${ES_PORT:-9200}:9200"]
    assert "ports" not in services["redis"] and "ports" not in services["postgres"]


def test_elasticsearch_is_a_secured_single_node_with_bounded_heap(services):
    es = services["elasticsearch"]
    env = es["environment"]
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true"
    assert re.fullmatch(r"-Xms(\S+) -Xmx\1", env["ES_JAVA_OPTS"])


# What the official Elasticsearch 9.x image ships that a health check may call: its base
# is Red Hat UBI minimal (bash, coreutils, curl-minimal; Elastic's Dockerfile calls curl
# on that bare base and adds only nc, zip, unzip, findutils, procps-ng, shadow-utils).
ES_IMAGE_COMMANDS = {"curl", "bash", "sh", "grep", "test", "exit", "nc"}


class HealthEndpoint:
    """A loopback /_cluster/health that records the request and answers `status`."""

    def __init__(self, status: int) -> None:
        self.requests: list[tuple[str, str | None]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                endpoint.requests.append((self.path, self.headers.get("Authorization")))
                body = json.dumps({"status": "yellow" if status == 200 else "red"}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def run_elasticsearch_check(services: dict, port: int, password: str) -> int:
    """Run the compose health check as the container would, against 127.0.0.1:`port`."""
    kind, command = services["elasticsearch"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    command = command.replace("$$", "$").replace("localhost:9200", f"127.0.0.1:{port}")
    env = {"PATH": os.environ["PATH"], "ELASTIC_PASSWORD": password}
    return subprocess.run(["sh", "-c", command], env=env, timeout=30, check=False).returncode


def test_the_elasticsearch_check_calls_only_what_the_image_ships(services):
    _, command = services["elasticsearch"]["healthcheck"]["test"]
    called = {
        word.split("/")[-1]
        for part in re.split(r"\|\||&&|\||;", command)
        for word in part.split()[:1]
    }
    assert called <= ES_IMAGE_COMMANDS, called - ES_IMAGE_COMMANDS


@pytest.mark.parametrize("password", ["change-me", "p@ss w:rd/#%?&'x"])
def test_the_elasticsearch_check_passes_on_a_serving_cluster(services, password):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed here; the Elasticsearch image has it")
    endpoint = HealthEndpoint(200)
    try:
        assert run_elasticsearch_check(services, endpoint.port, password) == 0
    finally:
        endpoint.server.shutdown()
    path, authorization = endpoint.requests[0]
    assert path.startswith("/_cluster/health?") and "wait_for_status=yellow" in path
    token = base64.b64encode(f"elastic:{password}".encode()).decode()
    assert authorization == f"Basic {token}"  # any character of the password survives


@pytest.mark.parametrize("status", [401, 408, 503])
def test_the_elasticsearch_check_fails_when_the_cluster_does_not_serve(services, status):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed here; the Elasticsearch image has it")
    endpoint = HealthEndpoint(status)  # 408: not yellow within the wait; 401: wrong password
    try:
        assert run_elasticsearch_check(services, endpoint.port, "change-me") != 0
    finally:
        endpoint.server.shutdown()
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert run_elasticsearch_check(services, port, "change-me") != 0  # nothing listening


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose["volumes"])
    used = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == declared == {"es-data", "redis-data", "pg-data", "vitrina-data"}


def _secret_values(services: dict):
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            yield name, key, str(value)


def test_no_secret_is_written_in_the_compose_file(services):
    for name, key, value in _secret_values(services):
        if SECRET_NAME.search(key):
            assert INTERPOLATION.match(value), f"{name}.{key} must come from .env, not the file"
        for userinfo in re.findall(r"://([^@/]+)@", value):
            user, _, password = userinfo.partition(":")
            assert not password or INTERPOLATION.match(password), (
                f"{name}.{key} has a literal password in its URL"
            )


def test_no_password_is_placed_inside_a_url(services):
    for name, key, value in _secret_values(services):
        for userinfo in re.findall(r"://([^@/]+)@", value):
            assert ":" not in userinfo, f"{name}.{key} puts a password inside a URL"


def interpolated(value: str, dotenv: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:?message}` and `${VAR:-default}` (and `$$`)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if dotenv.get(name):
            return dotenv[name]
        if op == ":?":
            raise AssertionError(f"{name} is required: {arg}")
        return arg

    return re.sub(r"\$\{([A-Z_]+)(:[?-])?([^}]*)\}", one, value).replace("$$", "$")


@pytest.mark.parametrize("password", ["p@ss:w/rd#1%?x", "a:b@c/d#e%f?g h"])
def test_any_password_reaches_elasticsearch_and_postgres_intact(services, password):
    """What the app's environment becomes after Compose, read by Vitrina's own settings."""
    from search.engines.elasticsearch.engine import credentials
    from vitrina.config import load_settings

    dotenv = {"ELASTIC_PASSWORD": password, "POSTGRES_PASSWORD": password,
              "VITRINA_SECRET_KEY": "s"}  # fmt: skip
    for name in APP_SERVICES:
        env = {k: interpolated(str(v), dotenv) for k, v in services[name]["environment"].items()}
        settings = load_settings(env)
        assert settings.elasticsearch_url == "http://elasticsearch:9200"
        token = base64.b64encode(f"elastic:{password}".encode()).decode()
        assert credentials(settings) == {"basic_auth": token}
        assert password not in repr(settings)
        assert env["PGPASSWORD"] == password and password not in settings.database


def test_env_file_is_ignored_and_never_tracked():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env must be in .gitignore"
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", ".env"], cwd=ROOT, capture_output=True, check=False
    )
    assert tracked.returncode != 0, ".env is tracked by git"
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_env_example_holds_placeholders_for_every_secret(compose):
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert required == {"ELASTIC_PASSWORD", "POSTGRES_PASSWORD", "VITRINA_SECRET_KEY"}
    assert required <= set(values)
    for key, value in values.items():
        if SECRET_NAME.search(key):
            assert value.startswith("change-me"), f"{key} in .env.example must be a placeholder"


def test_the_image_installs_the_app_with_postgres_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert 'pip install ".[postgres]"' in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
