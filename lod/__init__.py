"""kep-lod: a Linked Open Data publisher for German municipal development policy.

The package is laid out along the pipeline::

    sources/<slug>/source.yaml ──harvest──▶ lod.harvest (one module per *kind* of source)
                               ──validate─▶ lod.validate (SHACL + sanity checks)
                               ──publish──▶ lod.publish / lod.store (named graph per source, snapshots)
                               ──serve────▶ lod.web (Flask app over a read-only snapshot)

Layering rule: ``lod.web`` never writes and never imports pyoxigraph's ``Store`` directly;
it goes through ``lod.store`` / ``lod.queries``. The CLI (``lod.cli``) is a thin shell.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
