# Stand-in for python:3.11-slim where no container registry is reachable: Debian bookworm's Python 3.11
# in a venv at /opt/python, first on PATH (the official image has python at /usr/local/bin).
FROM localhost/debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/python
ENV PATH=/opt/python/bin:$PATH
CMD ["python3"]
