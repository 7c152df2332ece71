"""Mapping layer: turns what the harvesters extract (text matches, curated records) into KEP triples.

``lod.mapping.rules`` holds the extraction rules of the ``html`` kind (CSS selectors + regexes, all stated
in ``source.yaml``) and ``lod.mapping.facts`` the builders that mint IRIs and triples for each kind of
fact (partnership, certification, coordination office, funded post, programme line, platform, event,
field of action, commitment, stated SDG, project). No builder knows about a particular municipality.
"""

from __future__ import annotations
