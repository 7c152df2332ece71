"""Run the app under gunicorn (the production WSGI server), configured from settings."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from lod.settings import Settings

__all__ = ["serve", "gunicorn_options"]


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": f"{settings.server.host}:{settings.server.port}",
        "workers": settings.server.workers,
        "worker_class": "sync",
        "timeout": settings.server.timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 16384,     # GET queries up to 16 KiB; longer ones must be POSTed
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "kep-lod",
    }


class _App(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from lod.web import create_app

        return create_app(self.settings)


def serve(settings: Settings) -> None:
    """Serve until interrupted."""
    _App(settings).run()
