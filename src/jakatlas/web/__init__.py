"""Web app and JSON/FHIR API over the atlas (FastAPI; pages rendered with Jinja2)."""

from __future__ import annotations

from jakatlas.web.app import create_app, create_app_from_env

__all__ = ["create_app", "create_app_from_env"]
