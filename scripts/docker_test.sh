#!/usr/bin/env bash
# Build the Docker image and check it for real: start a private dockerd, build (from a wheelhouse, with
# host networking: see ../shared/notes/containers.md), run the container on loopback, and run the
# docker-marked tests against it (/healthz, /readyz, every seed through /v1/clean = the library, the
# image's HEALTHCHECK, non-root user, gunicorn as PID 1, graceful `docker stop`).
# The image is built from a snapshot of the sources (.docker-work/context), and the tests compare it with
# the library imported from that same snapshot, so edits made meanwhile in the work tree cannot skew them.
# Everything it starts (dockerd, containerd, the container) is stopped on exit; state lives in .docker-work/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/.docker-work
PY=${PY:-$ROOT/.venv/bin/python}
IMAGE=textwash:docker-test
CONTAINER=textwash-docker-test
BASE_IMAGE=python:3.11-slim

log() { printf '[docker-test] %s\n' "$*"; }

install_tools() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    [ ${#missing[@]} -eq 0 ] && return
    [ "$(id -u)" -eq 0 ] || { log "need ${missing[*]} (install them as root)"; exit 1; }
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

docker_cli() {
    # Debian's client matches Debian's dockerd; the classic builder (no BuildKit) is what works here.
    if [ -x /usr/bin/docker ]; then DOCKER_BUILDKIT=0 /usr/bin/docker "$@"; else DOCKER_BUILDKIT=0 docker "$@"; fi
}

DOCKERD_PID=
cleanup() {
    set +e
    if [ -n "$DOCKERD_PID" ]; then
        docker_cli rm -f "$CONTAINER" >/dev/null 2>&1
        kill "$DOCKERD_PID" 2>/dev/null
        for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
}
trap cleanup EXIT

start_dockerd() {
    mkdir -p "$WORK"
    if [ -f "$WORK/dockerd.pid" ]; then
        if kill -0 "$(cat "$WORK/dockerd.pid")" 2>/dev/null; then
            log "the dockerd of another run is still up (pid $(cat "$WORK/dockerd.pid")): let it finish first"
            exit 1
        fi
        rm -f "$WORK/dockerd.pid"
    fi
    rm -f "$WORK/docker.sock"
    dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
        -H "unix://$WORK/docker.sock" --storage-driver overlay2 --bridge=none --iptables=false \
        >"$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    export DOCKER_HOST="unix://$WORK/docker.sock"
    for _ in $(seq 1 120); do
        docker_cli info >/dev/null 2>&1 && return
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.5
    done
    log "dockerd did not start:"; tail -20 "$WORK/dockerd.log"; exit 1
}

ensure_base_image() {
    local host_python
    host_python=$("$PY" -c 'import platform, sys; print(sys.base_prefix + ":" + platform.python_version())')
    local label='{{ index .Config.Labels "textwash.standin.python" }}'
    [ "$(docker_cli image inspect --format "$label" "$BASE_IMAGE" 2>/dev/null)" = "$host_python" ] && return
    if ! docker_cli image inspect localhost/debian:bookworm >/dev/null 2>&1; then
        local tarball=$WORK/bookworm-rootfs.tar
        if [ ! -s "$tarball" ]; then
            local mirror
            mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
            mirror=${mirror:-http://deb.debian.org/debian}
            log "debootstrap bookworm from $mirror (about a minute)"
            rm -rf "$WORK/rootfs"
            debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1
            rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
            tar -C "$WORK/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
            rm -rf "$WORK/rootfs"
        fi
        docker_cli import --change 'CMD ["/bin/bash"]' "$tarball" localhost/debian:bookworm >/dev/null
    fi
    log "building the stand-in $BASE_IMAGE with the host's Python ${host_python#*:}"
    local prefix=${host_python%:*} standin=$WORK/standin
    if [ ! -e "$prefix/bin/python3.11" ] || [ ! -e "$prefix/lib/libpython3.11.so.1.0" ]; then
        log "cannot pack the host's Python from $prefix (expected bin/python3.11 and lib/libpython3.11.so.1.0)"
        exit 1
    fi
    rm -rf "$standin" && mkdir -p "$standin"
    cp scripts/docker/python-standin.Dockerfile "$standin/Dockerfile"
    tar -C "$prefix" -cf "$standin/python.tar" --exclude=lib/python3.11/site-packages/* \
        --exclude=lib/python3.11/test --exclude=lib/python3.11/idlelib --exclude=lib/python3.11/tkinter \
        bin/python3.11 bin/python3 lib/libpython3.11.so.1.0 lib/libpython3.11.so lib/libpython3.so lib/python3.11 \
        include/python3.11
    docker_cli build --network host -q --build-arg HOST_PYTHON="$host_python" -t "$BASE_IMAGE" "$standin" >/dev/null
}

fill_wheelhouse() {
    log "wheelhouse: pip download of the pinned runtime dependencies into wheels/"
    mkdir -p wheels
    "$PY" -m pip download --quiet --dest wheels --constraint constraints.txt setuptools wheel "Cython>=3.0" . \
        >"$WORK/pip-download.log" 2>&1 || { tail -20 "$WORK/pip-download.log"; exit 1; }
    rm -f wheels/textwash-*
}

snapshot_context() {
    local context=$WORK/context
    rm -rf "$context"
    mkdir -p "$context"
    cp -a Dockerfile .dockerignore pyproject.toml setup.py constraints.txt README.md heuristics service textwash "$context/"
    cp -al wheels "$context/wheels"
    find "$context" -name __pycache__ -prune -exec rm -rf {} +
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

install_tools
start_dockerd
ensure_base_image
fill_wheelhouse
snapshot_context
log "building $IMAGE"
docker_cli build --network host --build-arg WHEELHOUSE=1 -t "$IMAGE" "$WORK/context" >"$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; exit 1; }
PORT=$(free_port)
log "running $IMAGE on 127.0.0.1:$PORT (host network)"
docker_cli rm -f "$CONTAINER" >/dev/null 2>&1 || true
docker_cli run -d --name "$CONTAINER" --network host -e PORT="$PORT" -e WEB_CONCURRENCY=2 \
    --health-interval 1s --health-start-period 20s "$IMAGE" >/dev/null
export TEXTWASH_DOCKER_URL="http://127.0.0.1:$PORT" TEXTWASH_DOCKER_CONTAINER="$CONTAINER"
export TEXTWASH_DOCKER_CLI=${TEXTWASH_DOCKER_CLI:-$(command -v /usr/bin/docker || command -v docker)}
PYTHONPATH="$WORK/context" "$PY" -P -m pytest -q -m docker tests/service/test_service_docker.py -p no:cacheprovider
