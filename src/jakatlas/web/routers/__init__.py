"""Routers of the web app, one per resource."""
