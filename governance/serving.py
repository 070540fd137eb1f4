"""Production serving: static URLs that carry a hash of their file (cached for a year), and
the client's address and scheme taken from a trusted reverse proxy's headers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix


class StaticVersions:
    """A short hash of each static file, read once per process (a deploy restarts it)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)
        self.known: dict[str, str] = {}

    def of(self, filename: str) -> str:
        if filename not in self.known:
            try:
                content = (self.folder / filename).read_bytes()
            except OSError:
                return ""  # a missing file: the URL stays unversioned and the 404 shows
            self.known[filename] = hashlib.sha256(content).hexdigest()[:12]
        return self.known[filename]


def init_app(app: Flask) -> None:
    if app.static_folder is None:
        raise RuntimeError("The application has no static folder to serve.")
    versions = StaticVersions(app.static_folder)
    max_age = int(app.config["STATIC_MAX_AGE_SECONDS"])

    @app.url_defaults
    def _version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            if app.debug:  # files change under a developer's hands
                versions.known.pop(values["filename"], None)
            version = versions.of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request  # registered after Flask-Compress's hook, so it runs before it
    def _cache_versioned_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        # Read the (small) file now: Flask-Compress then compresses it whole, and the file is
        # closed with the response instead of being left to the garbage collector.
        response.direct_passthrough = False
        response.get_data()
        # Only the URL of the file as it is now is immutable; any other is revalidated.
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args["v"] == versions.of(filename):
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response

    hops = int(app.config["PROXY_HOPS"])
    if hops:  # only behind a proxy that sets these headers: otherwise anyone could forge them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
