"""Benchmarks at nationwide scale (issue #8): a synthetic dataset over the real municipality register and
measurements of publishing, SPARQL, pages and harvesting. Entry point: ``lod bench …`` (lod.bench.cli).

Nothing here is imported by the serving or publishing code.
"""
