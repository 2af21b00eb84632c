"""The sync stack as a WSGI app (Flask); its twin is async_variant/asgi.py.

Serve it with gunicorn's threaded workers, which call the app factory once per worker:

    gunicorn -k gthread --workers 1 --threads 32 'sync_variant.wsgi:create_app()'

Settings come from the DDD_BENCH_* environment variables (core.app_settings) unless
create_app gets an AppSettings. Request validation, status codes and error bodies
come from core.http_api, so both apps respond to every request the same way.
"""

from __future__ import annotations

import atexit
import logging
import os
import uuid
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from core import http_api
from core.app_settings import AppSettings
from core.commands import ActivateUser, DeactivateUser, DeleteUser, GetUser, ListActiveUsers
from core.errors import DomainError, EventDeliveryFailed
from sync_variant.bootstrap import build_service
from sync_variant.handlers import simulated_io_handlers
from sync_variant.service import UserService

logger = logging.getLogger(__name__)

# The largest part of an unread request body that the app reads and discards.
DRAIN_LIMIT_BYTES = 4 * http_api.MAX_BODY_BYTES
_DRAIN_CHUNK_BYTES = 64 * 1024


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(http_api.dumps(body), status=status, mimetype="application/json")


def _error(error: http_api.ApiError) -> Response:
    return _json(error.body(), error.status)


def _body() -> dict[str, Any]:
    # Werkzeug raises 413 for a declared Content-Length over MAX_CONTENT_LENGTH, but cuts a
    # chunked body at that length silently; the extra byte lets parse_json_object see it.
    return http_api.parse_json_object(request.get_data(cache=False), request.content_type)


def _drain_unread_body(response: Response) -> Response:
    """Read and discard what the app left of the request body, so the response arrives.

    gunicorn 27's gthread worker drains at most 64 KiB of a body the app did not
    read. With more left, it closes the socket with unread data, the kernel sends
    a reset, and the client can lose the response (29 of 100 requests with a
    64 KiB body on loopback, measured on a 2-core machine). Past DRAIN_LIMIT_BYTES
    the response carries `Connection: close` instead.
    """
    stream = request.environ["wsgi.input"]
    remaining = DRAIN_LIMIT_BYTES
    while remaining > 0:
        chunk = stream.read(min(_DRAIN_CHUNK_BYTES, remaining))
        if not chunk:
            return response
        remaining -= len(chunk)
    response.headers["Connection"] = "close"
    return response


def create_app(settings: AppSettings | None = None) -> Flask:
    """Build the Flask app and its service; settings default to the DDD_BENCH_* variables."""
    settings = settings or AppSettings.from_env(os.environ)
    service: UserService = build_service(
        settings.backend,
        settings.policy,
        latency_ms=settings.latency_ms,
        sqlite_path=settings.sqlite_path,
        pool_size=settings.pool_size,
        handlers=simulated_io_handlers(settings.handler_ms, settings.handlers_per_event),
    )
    atexit.register(service.close)
    logger.info("sync app started in process %d with %s", os.getpid(), settings.as_dict())

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = http_api.MAX_BODY_BYTES + 1
    app.config["DDD_BENCH_SETTINGS"] = settings.as_dict()
    app.after_request(_drain_unread_body)

    @app.before_request
    def reject_declared_large_body() -> Response | None:
        # A declared oversized body gets 413 on any route, before routing, as in the ASGI twin.
        declared = request.content_length
        if declared is not None and declared > http_api.MAX_BODY_BYTES:
            return _error(http_api.body_too_large(declared))
        return None

    @app.errorhandler(http_api.ApiError)
    def api_error(error: http_api.ApiError) -> Response:
        return _error(error)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        return _error(http_api.error_for(error))

    @app.errorhandler(EventDeliveryFailed)
    def delivery_failed(error: EventDeliveryFailed) -> Response:
        logger.error("request %s %s: %s", request.method, request.path, error)
        return _error(http_api.error_for(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, NotFound):
            return _error(http_api.not_found(f"no route for {request.path[:200]!r}"))
        if isinstance(error, MethodNotAllowed):
            return _error(http_api.method_not_allowed(request.method, request.path[:200]))
        if isinstance(error, RequestEntityTooLarge):
            return _error(http_api.body_too_large(request.content_length))
        status = error.code or 400
        return _error(http_api.ApiError(status, "bad_request", error.description or str(error)))

    @app.get("/health")
    def health() -> Response:
        return _json({"status": "ok", "stack": "sync", "pid": os.getpid()}, 200)

    @app.post("/users")
    def register() -> Response:
        command = http_api.register_command(_body(), uuid.uuid4().hex)
        user = service.register_user(command)
        return _json(http_api.user_body(user), 201)

    @app.get("/users")
    def list_active() -> Response:
        limit = http_api.list_limit(request.args.get("limit"))
        users = service.list_active_users(ListActiveUsers())
        return _json(http_api.users_body(users, limit), 200)

    @app.get("/users/<user_id>")
    def get_user(user_id: str) -> Response:
        user = service.get_user(GetUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.post("/users/<user_id>/deactivate")
    def deactivate(user_id: str) -> Response:
        user = service.deactivate_user(DeactivateUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.post("/users/<user_id>/activate")
    def activate(user_id: str) -> Response:
        user = service.activate_user(ActivateUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.put("/users/<user_id>/email")
    def change_email(user_id: str) -> Response:
        user = service.change_email(http_api.change_email_command(user_id, _body()))
        return _json(http_api.user_body(user), 200)

    @app.delete("/users/<user_id>")
    def delete(user_id: str) -> Response:
        service.delete_user(DeleteUser(http_api.validate_user_id(user_id)))
        return Response(status=204)

    return app
