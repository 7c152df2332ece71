"""Access to the app's settings and snapshot from views."""

from __future__ import annotations

from flask import current_app

from lod.queries import CurrentSnapshot
from lod.settings import Settings


def settings() -> Settings:
    return current_app.extensions["lod"]["settings"]  # type: ignore[no-any-return]


def snapshot() -> CurrentSnapshot:
    return current_app.extensions["lod"]["snapshot"]  # type: ignore[no-any-return]
