"""The ``serve`` command: run the web app and API with uvicorn."""

from __future__ import annotations

import os

import typer

from jakatlas.cli._app import DB_OPTION, app
from jakatlas.store.db import ENV_VAR, resolve_url


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (each with its own cache)."),
    db: str | None = DB_OPTION,
) -> None:
    """Serve the atlas: web pages, JSON API (/api/v1, docs at /docs) and FHIR R5 (/fhir).

    Anonymous visitors read; curators sign in with a token from 'jakatlas token create NAME'.

    Example: jakatlas serve --port 8000 --workers 2 --db sqlite:///atlas.db
    """
    import uvicorn

    from jakatlas.store.atlas import Atlas

    url = resolve_url(db)
    Atlas(url).require_built()
    os.environ[ENV_VAR] = url  # the worker processes build their app from it
    typer.echo(f"Serving the atlas on http://{host}:{port}/ (API docs: /docs). Press Ctrl+C to stop.")
    uvicorn.run("jakatlas.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, proxy_headers=False)
