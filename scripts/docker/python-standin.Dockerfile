# Stand-in for python:3.11-slim where no container registry is reachable: Debian bookworm plus the host's
# own CPython 3.11 (the interpreter the project's venv runs on, packed by scripts/docker_test.sh), installed
# under /usr/local as in the official image. Debian's own python3 (3.11.2) would not do: its `re` predates
# fixes to possessive quantifiers that the engine's rules rely on.
FROM localhost/debian:bookworm
ARG HOST_PYTHON=unknown
LABEL textwash.standin.python=$HOST_PYTHON
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libbz2-1.0 libexpat1 libffi8 liblzma5 \
       libncursesw6 libreadline8 libsqlite3-0 libssl3 libtirpc3 libuuid1 zlib1g \
    && rm -rf /var/lib/apt/lists/*
ADD python.tar /usr/local/
RUN ldconfig && ln -sf python3 /usr/local/bin/python && python -c "import ssl, sqlite3, lzma, bz2, ctypes, venv"
CMD ["python3"]
