# textwash HTTP service: gunicorn serving service.wsgi:app on port 8080.
#
#   docker build -t textwash .                                  # dependencies from the package index
#   docker build --build-arg WHEELHOUSE=1 -t textwash .         # only from ./wheels (pip download -d wheels ...)
#   docker run -p 8080:8080 textwash
#
# Works with the classic builder (no BuildKit features). Dependencies are pinned by constraints.txt.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ARG WHEELHOUSE=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# The build checks that the engine loads, model included: lightgbm needs the GNU OpenMP runtime here too.
# gcc compiles the engine's Cython core (heuristics/_core.pyx, _decide.pyx, _html.pyx); only this stage has it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# .dockerignore lets in only the package sources, the pins and (when present) wheels/.
COPY . /src/
RUN set -eu; \
    if [ -n "$WHEELHOUSE" ]; then set -- --no-index --find-links /src/wheels; else set --; fi; \
    python -m venv /opt/venv; \
    /opt/venv/bin/pip install "$@" --constraint constraints.txt /src; \
    cd / && /opt/venv/bin/python -c "import heuristics, service; print('engine', heuristics.engine_info())"

FROM ${PYTHON_IMAGE} AS runtime
# lightgbm's library links against the GNU OpenMP runtime, which slim images leave out.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin textwash
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8080
WORKDIR /tmp
USER textwash
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8080'), timeout=4)"]
# Exec form: gunicorn is PID 1 and gets SIGTERM from `docker stop` (graceful shutdown).
CMD ["gunicorn", "--config", "python:service.gunicorn_conf"]
