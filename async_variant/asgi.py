"""The async stack as an ASGI app (FastAPI); its twin is sync_variant/wsgi.py.

Serve it with uvicorn, which calls the factory once per worker process:

    uvicorn --factory async_variant.asgi:create_app --loop uvloop --workers 1

Settings come from the DDD_BENCH_* environment variables (core.app_settings) unless
create_app gets an AppSettings. Request validation, status codes and error bodies
come from core.http_api, so both apps respond to every request the same way. The body
is parsed by core.http_api rather than by pydantic models, because the two apps
must reject exactly the same inputs with exactly the same messages.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from async_variant.bootstrap import build_service
from async_variant.handlers import simulated_io_handlers
from async_variant.service import UserService
from core import http_api
from core.app_settings import AppSettings
from core.commands import ActivateUser, DeactivateUser, DeleteUser, GetUser, ListActiveUsers
from core.errors import DomainError, EventDeliveryFailed

logger = logging.getLogger(__name__)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(http_api.dumps(body), status_code=status, media_type="application/json")


def _error(error: http_api.ApiError) -> Response:
    return _json(error.body(), error.status)


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Reject request bodies longer than MAX_BODY_BYTES with 413 before they are buffered.

    Older Starlette releases have no body limit of their own, and this one behaves
    the same on every version the project allows. A declared Content-Length is checked
    up front; a chunked body is counted as it arrives.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > http_api.MAX_BODY_BYTES:
            await _error(http_api.body_too_large(int(declared)))(scope, receive, send)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > http_api.MAX_BODY_BYTES:
                    raise _BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await _error(http_api.body_too_large())(scope, receive, send)


async def _body(request: Request) -> dict[str, Any]:
    return http_api.parse_json_object(await request.body(), request.headers.get("content-type"))


def create_app(settings: AppSettings | None = None) -> FastAPI:
    """Build the FastAPI app; its service is built in the lifespan, inside the server's loop."""
    settings = settings or AppSettings.from_env(os.environ)
    state: dict[str, UserService] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state["service"] = await build_service(
            settings.backend,
            settings.policy,
            latency_ms=settings.latency_ms,
            sqlite_path=settings.sqlite_path,
            handlers=simulated_io_handlers(settings.handler_ms, settings.handlers_per_event),
        )
        logger.info("async app started in process %d with %s", os.getpid(), settings.as_dict())
        try:
            yield
        finally:
            await state.pop("service").close()

    def service() -> UserService:
        return state["service"]

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(BodyLimitMiddleware)

    @app.exception_handler(http_api.ApiError)
    async def api_error(request: Request, error: http_api.ApiError) -> Response:
        return _error(error)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return _error(http_api.error_for(error))

    @app.exception_handler(EventDeliveryFailed)
    async def delivery_failed(request: Request, error: EventDeliveryFailed) -> Response:
        logger.error("request %s %s: %s", request.method, request.url.path, error)
        return _error(http_api.error_for(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        path = request.url.path[:200]
        if error.status_code == 404:
            return _error(http_api.not_found(f"no route for {path!r}"))
        if error.status_code == 405:
            return _error(http_api.method_not_allowed(request.method, path))
        return _error(http_api.ApiError(error.status_code, "bad_request", str(error.detail)))

    @app.get("/health")
    async def health() -> Response:
        return _json({"status": "ok", "stack": "async", "pid": os.getpid()}, 200)

    @app.post("/users")
    async def register(request: Request) -> Response:
        command = http_api.register_command(await _body(request), uuid.uuid4().hex)
        user = await service().register_user(command)
        return _json(http_api.user_body(user), 201)

    @app.get("/users")
    async def list_active(request: Request) -> Response:
        limit = http_api.list_limit(request.query_params.get("limit"))
        users = await service().list_active_users(ListActiveUsers())
        return _json(http_api.users_body(users, limit), 200)

    @app.get("/users/{user_id}")
    async def get_user(user_id: str) -> Response:
        user = await service().get_user(GetUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.post("/users/{user_id}/deactivate")
    async def deactivate(user_id: str) -> Response:
        user = await service().deactivate_user(DeactivateUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.post("/users/{user_id}/activate")
    async def activate(user_id: str) -> Response:
        user = await service().activate_user(ActivateUser(http_api.validate_user_id(user_id)))
        return _json(http_api.user_body(user), 200)

    @app.put("/users/{user_id}/email")
    async def change_email(user_id: str, request: Request) -> Response:
        command = http_api.change_email_command(user_id, await _body(request))
        user = await service().change_email(command)
        return _json(http_api.user_body(user), 200)

    @app.delete("/users/{user_id}")
    async def delete(user_id: str) -> Response:
        await service().delete_user(DeleteUser(http_api.validate_user_id(user_id)))
        return Response(status_code=204)

    return app
