"""Harvesting: one module per *kind* of source, registered by name (lazy import).

A kind module exposes ``harvest(source, ctx) -> HarvestResult`` (see ``lod.harvest.base``). Adding a
municipality never needs code: it is a ``sources/<slug>/source.yaml`` naming one of these kinds.
"""

from __future__ import annotations

import importlib

from lod.harvest.base import HarvestKind

__all__ = ["KINDS", "get_kind"]

KINDS: dict[str, str] = {
    "html": "lod.harvest.html_page:harvest",          # one or more HTML pages + extraction rules
    "listing": "lod.harvest.listing:harvest",         # a listing with pagination and detail pages
    "curated": "lod.harvest.curated:harvest",         # a coordinator's YAML/CSV record
    "rdf": "lod.harvest.rdf:harvest",                 # an RDF document (Turtle, RDF/XML, JSON-LD, N-Triples)
    "sdg": "lod.harvest.sdg:harvest",                 # the UN SDG concept scheme with German labels
    "register": "lod.harvest.register:harvest",       # the register of German municipalities
    "places": "lod.harvest.places:harvest",           # curated foreign places and countries
    "organizations": "lod.harvest.organizations:harvest",   # curated federal bodies, agencies, units, networks
}


def get_kind(name: str) -> HarvestKind:
    """The harvest function registered as ``name``. :raises KeyError: unknown kind."""
    module, func = KINDS[name].split(":")
    return getattr(importlib.import_module(module), func)  # type: ignore[no-any-return]
