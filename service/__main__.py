"""``python -m service serve [--bind HOST:PORT] [--workers N]``: gunicorn with the packaged settings.

The process becomes gunicorn (``os.execv``), so signals such as SIGTERM reach its master directly.
"""
from __future__ import annotations

import argparse
import os
import sys


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    """The gunicorn command line for the parsed ``serve`` arguments."""
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf"]
    if args.bind:
        argv += ["--bind", args.bind]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    return argv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service", description="textwash HTTP service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API under gunicorn (PORT and WEB_CONCURRENCY honoured)")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default 0.0.0.0:$PORT, PORT defaulting to 8080)")
    serve.add_argument("--workers", type=int, help="worker processes (default $WEB_CONCURRENCY or cores + 1)")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    command = gunicorn_argv(args)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
