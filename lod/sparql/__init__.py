"""The public SPARQL endpoint's engine room: pre-parse guard, worker pool, result formats, service description.

``lod.web.sparql`` is the thin HTTP layer over this package; a benchmark can use :func:`lod.sparql.pool.QueryPool`
directly (``pool.run(Job(...)) -> Result`` with the serialised bytes).
"""

from __future__ import annotations
