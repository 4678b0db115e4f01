"""Browser hardening on every response: CSP without inline script, nosniff, no framing, size and cookie limits."""
from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import Settings

# bpmn-js injects its own <style> elements and draws icons from data: URIs; scripts come only from
# this site, so a stored `<script>` anywhere can never run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Stored files (BPMN, DMN, forms) are data: downloaded, never rendered, and never able to run a
# script even when opened directly (an XHTML <script> in a bpmn:documentation).
STORED_FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def stored_file(content: str, filename: str, mimetype: str) -> Response:
    """A stored source file as a download its browser will not render or sniff into HTML."""
    safe_name = "".join(c for c in filename.rsplit("/", 1)[-1] if c.isalnum() or c in "._-") or "file"
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{safe_name}"',
        "Content-Security-Policy": STORED_FILE_POLICY})


def init_app(app: Flask) -> None:
    settings: Settings = app.config["CASEDESK_SETTINGS"]
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes  # larger bodies: 413
    if settings.secure_cookies:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if settings.trusted_proxies:
        # Only the operator knows a proxy is in front: without it X-Forwarded-For is anyone's to write,
        # and sign-in throttling per address would count whatever address the client claims.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,  # type: ignore[method-assign]
                                x_proto=settings.trusted_proxies)

    @app.after_request
    def harden(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
