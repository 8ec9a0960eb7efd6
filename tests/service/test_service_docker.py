"""The Docker image, built and started by scripts/docker_test.sh (``make docker-test``), checked over HTTP.

Marked ``docker``: left out of ``make test``; the script sets TEXTWASH_DOCKER_URL and runs these.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests
from service_helpers import jsonable, seed_texts, without_version

from heuristics import clean, engine_info

pytestmark = pytest.mark.docker
SEEDS = seed_texts()
WAIT = 90.0


def docker(*args: str) -> str:
    cli = os.environ.get("TEXTWASH_DOCKER_CLI", "docker")
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    done = subprocess.run([cli, *args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def container() -> str:
    name = os.environ.get("TEXTWASH_DOCKER_CONTAINER")
    assert name, "run these through `make docker-test` (scripts/docker_test.sh starts the container)"
    return name


def wait_ready(url: str, container: str) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/readyz", timeout=2).status_code == 200:
                return url
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"container not ready after {WAIT} s:\n{docker('logs', container)}")


@pytest.fixture(scope="module")
def base_url(container) -> str:
    return wait_ready(os.environ["TEXTWASH_DOCKER_URL"], container)


def test_healthz_and_readyz(base_url):
    assert requests.get(base_url + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(base_url + "/readyz", timeout=5).json()
    assert ready == {"status": "ready", "version": jsonable(engine_info())}


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=[name for name, _ in SEEDS])
def test_seed_through_the_container_equals_library(base_url, name, text):
    headers = {"Content-Type": "text/plain"}
    response = requests.post(base_url + "/v1/clean", data=text.encode(), headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert without_version(response.json()) == jsonable(clean(text).to_dict())


PACKAGE_DATA_SCRIPT = """
import json, pathlib, heuristics
root = pathlib.Path(heuristics.__file__).parent
files = [*root.glob("rules/*.toml"), *root.glob("models/*.txt"), *root.glob("models/*.json")]
print(json.dumps(sorted(str(p.relative_to(root)) for p in files)))
"""


def test_rules_and_model_files_are_inside_the_image(container, base_url):
    """The package data (rule TOMLs, model artifacts) the source tree has, the installed image has too."""
    local = json.loads(subprocess.run([sys.executable, "-c", PACKAGE_DATA_SCRIPT], capture_output=True, text=True,
                                      check=True, cwd="/").stdout)
    inside = json.loads(docker("exec", "--workdir", "/tmp", container, "python", "-c", PACKAGE_DATA_SCRIPT))
    assert any(name.startswith("rules/") for name in local)
    assert inside == local


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
    """SIGTERM to gunicorn as PID 1, which exits 0 once in-flight work is done; the container is started
    again afterwards, so the tests hold in any order (pytest-randomly shuffles them)."""
    docker("stop", "--time", "40", container)
    assert docker("inspect", "--format", "{{.State.ExitCode}}", container) == "0"
    docker("start", container)
    wait_ready(base_url, container)
