"""Atom feeds of the living updates: ``/feeds/disease/{name}.atom`` and ``/feeds/drug/{name}.atom``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from jakatlas.data import knowledge_base
from jakatlas.errors import JakatlasError
from jakatlas.models.knowledge import Disease
from jakatlas.web.deps import Ctx

router = APIRouter(include_in_schema=False)  # feeds, like the pages, are not part of the JSON API

ATOM = "application/atom+xml; charset=utf-8"


def _feed(request: Request, ctx: Ctx, kind: str, name: str) -> Response:
    from jakatlas.store.living import whats_new
    from jakatlas.updates.feeds import atom_feed

    kb = knowledge_base()
    try:
        rec = kb.disease(name) if kind == "disease" else kb.drug(name)
    except JakatlasError as exc:
        raise HTTPException(404, detail={"error": exc.message, "hint": exc.hint}) from None
    ctx.atlas.require_built()
    ctx.atlas.migrate()
    if isinstance(rec, Disease):
        entries = whats_new(ctx.atlas.url, disease=rec.name, limit=100)
    else:
        entries = whats_new(ctx.atlas.url, drug=rec.name, limit=100)
    base = str(request.base_url).rstrip("/")
    body = atom_feed(entries, title=f"jakatlas: new evidence on {rec.name}",
                     feed_id=f"{base}/feeds/{kind}/{rec.id}", self_url=f"{base}/feeds/{kind}/{rec.id}.atom",
                     base_url=base, subtitle=f"New and revised PubMed and ClinicalTrials.gov records on {rec.name}, "
                                             "as fetched by 'jakatlas update'.")
    return Response(body, media_type=ATOM)


@router.get("/feeds/disease/{name}.atom", summary="Atom feed of new evidence on a disease")
def disease_feed(request: Request, ctx: Ctx, name: str) -> Response:
    return _feed(request, ctx, "disease", name.replace("_", " "))


@router.get("/feeds/drug/{name}.atom", summary="Atom feed of new evidence on a drug")
def drug_feed(request: Request, ctx: Ctx, name: str) -> Response:
    return _feed(request, ctx, "drug", name.replace("_", " "))
