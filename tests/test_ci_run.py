"""CI's entry point (.ci/run): the whole suite, then the Docker check, both always run.

.ci/run is executed with ``make`` replaced by a recorder (the real targets take minutes); the Makefile's
targets are checked by the real make in dry-run mode.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_suite_then_the_docker_check_unconditionally(tmp_path):
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "make"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, check=True, timeout=60)
    assert calls.read_text(encoding="utf-8").split("\n") == ["test", "docker-test", ""]


def test_the_targets_ci_calls_exist_in_the_makefile():
    for target in ("test", "docker-test"):
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0, f"make {target}: {dry.stderr}"
    assert "scripts/docker_test.sh" in subprocess.run(["make", "-n", "docker-test"], cwd=ROOT, capture_output=True,
                                                     text=True, timeout=60).stdout
