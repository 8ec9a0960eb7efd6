"""The Docker image, built and started by scripts/docker_test.sh (``make docker-test``), checked over HTTP.

Marked ``docker``: left out of ``make test``; the script sets TEXTWASH_DOCKER_URL and runs these.
"""
from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import requests
from heuristics import clean, engine_info

from service_helpers import jsonable, seed_texts, without_version

pytestmark = pytest.mark.docker
SEEDS = seed_texts()
WAIT = 90.0


def docker(*args: str) -> str:
    cli = os.environ.get("TEXTWASH_DOCKER_CLI", "docker")
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    return subprocess.run([cli, *args], capture_output=True, text=True, check=True, env=env).stdout.strip()


@pytest.fixture(scope="module")
def container() -> str:
    name = os.environ.get("TEXTWASH_DOCKER_CONTAINER")
    assert name, "run these through `make docker-test` (scripts/docker_test.sh starts the container)"
    return name


@pytest.fixture(scope="module")
def base_url(container) -> str:
    url = os.environ["TEXTWASH_DOCKER_URL"]
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/readyz", timeout=2).status_code == 200:
                return url
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"container not ready after {WAIT} s:\n{docker('logs', container)}")


def test_healthz_and_readyz(base_url):
    assert requests.get(base_url + "/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(base_url + "/readyz", timeout=5).json() == {"status": "ready", "version": jsonable(engine_info())}


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=[name for name, _ in SEEDS])
def test_seed_through_the_container_equals_library(base_url, name, text):
    response = requests.post(base_url + "/v1/clean", data=text.encode(), headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    assert without_version(response.json()) == jsonable(clean(text).to_dict())


def test_rules_and_model_files_are_inside_the_image(container, base_url):
    script = ("import json, importlib.resources as r; "
              "print(json.dumps({'rules': sorted(p.name for p in r.files('heuristics.rules').iterdir() if p.name.endswith('.toml')),"
              " 'models': sorted(p.name for p in r.files('heuristics.models').iterdir() if not p.name.startswith('_'))}))")
    inside = json.loads(docker("exec", container, "python", "-c", script))
    from importlib import resources

    assert inside["rules"] == sorted(p.name for p in resources.files("heuristics.rules").iterdir() if p.name.endswith(".toml"))
    assert inside["rules"], "no rule files in the image"
    local_models = sorted(p.name for p in resources.files("heuristics.models").iterdir()
                          if not p.name.startswith("_") and p.name.endswith((".txt", ".json")))
    assert [m for m in inside["models"] if m.endswith((".txt", ".json"))] == local_models


def test_healthcheck_turns_healthy(container, base_url):
    deadline = time.monotonic() + WAIT
    status = ""
    while time.monotonic() < deadline:
        status = docker("inspect", "--format", "{{.State.Health.Status}}", container)
        if status == "healthy":
            break
        time.sleep(0.5)
    assert status == "healthy"


def test_runs_as_non_root_with_gunicorn_as_pid_1(container, base_url):
    assert docker("exec", container, "id", "-u") != "0"
    assert "gunicorn" in docker("exec", container, "cat", "/proc/1/cmdline").replace("\0", " ")


def test_docker_stop_is_graceful(container, base_url):
    """Last test: SIGTERM to gunicorn as PID 1, which exits 0 once in-flight work is done."""
    docker("stop", "--time", "40", container)
    assert docker("inspect", "--format", "{{.State.ExitCode}}", container) == "0"
