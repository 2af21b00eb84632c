"""The HTTP API both web apps serve: request validation, status codes and JSON bodies.

The Flask app (sync) and the FastAPI app (async) only move bytes between their
framework and these functions, so both accept and reject exactly the same requests
and respond with the same status codes and error bodies:

    400 malformed_json      the body is not valid UTF-8 JSON
    413 body_too_large      the body is longer than MAX_BODY_BYTES
    415 unsupported_media   the Content-Type is not application/json
    422 invalid_request     valid JSON of the wrong shape, type or value
    404 not_found           no user has the id, or no route matches
    405 method_not_allowed  the route exists but not for this method
    409 conflict            the email is taken, or the user is already (in)active
    500 event_delivery_failed  the change was saved but an event handler failed
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from core.commands import ChangeEmail, RegisterUser
from core.errors import (
    DomainError,
    EmailAlreadyInUse,
    EmptyName,
    EventDeliveryFailed,
    InvalidEmail,
    UserAlreadyActive,
    UserAlreadyInactive,
    UserNotFound,
)
from core.model import User

# Registrations and email changes are a few hundred bytes; 64 KiB leaves room for
# long names while a multi-megabyte body is rejected before it is parsed.
MAX_BODY_BYTES = 64 * 1024
MAX_USER_ID_LENGTH = 64
MAX_LIST_LIMIT = 1000  # the maximum number of users one list response returns
DEFAULT_LIST_LIMIT = 100
_USER_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]+")


class ApiError(Exception):
    """An HTTP error response: its status, a stable code and a message naming the value."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_request", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def method_not_allowed(method: str, path: str) -> ApiError:
    return ApiError(405, "method_not_allowed", f"method {method} is not allowed on {path}")


def body_too_large(size: int | None = None) -> ApiError:
    seen = f" of {size} bytes" if size is not None else ""
    return ApiError(
        413,
        "body_too_large",
        f"request body{seen} exceeds the limit of {MAX_BODY_BYTES} bytes: send less",
    )


def parse_json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """Decode a request body into a JSON object, or raise the ApiError that describes why not."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media",
            f"unsupported Content-Type {content_type or '(none)'!r}: send application/json",
        )
    if len(body) > MAX_BODY_BYTES:
        raise body_too_large(len(body))
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ApiError(400, "malformed_json", f"request body is not UTF-8: {error}") from error
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            "malformed_json",
            f"malformed JSON body: {error.msg} at line {error.lineno} column {error.colno}",
        ) from error
    except RecursionError as error:
        raise ApiError(400, "malformed_json", "malformed JSON body: nested too deeply") from error
    if not isinstance(payload, dict):
        raise invalid(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def _optional_string(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"invalid field {name!r}: expected a string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        # A lone surrogate (JSON "\ud800") decodes in Python but cannot be stored or echoed.
        raise invalid(f"invalid field {name!r}: contains a lone surrogate code point") from error
    return value


def _required_string(payload: Mapping[str, Any], name: str) -> str:
    value = _optional_string(payload, name)
    if value is None:
        raise invalid(f"missing field {name!r}: expected a string")
    return value


def _reject_unknown_fields(payload: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise invalid(f"unknown field(s) {', '.join(map(repr, unknown))}: allowed are {allowed}")


def validate_user_id(user_id: str) -> str:
    """Return the id, or raise 422 when it is empty, too long or uses characters ids never have."""
    if not 0 < len(user_id) <= MAX_USER_ID_LENGTH or _USER_ID_PATTERN.fullmatch(user_id) is None:
        raise invalid(
            f"invalid user id {user_id[:80]!r}: use 1-{MAX_USER_ID_LENGTH} characters "
            "from A-Z, a-z, 0-9, '.', '_' and '-'"
        )
    return user_id


def register_command(payload: Mapping[str, Any], new_id: str) -> RegisterUser:
    """Build a RegisterUser from a POST /users body; new_id is used when the body has no id."""
    _reject_unknown_fields(payload, ("id", "email", "name"))
    user_id = _optional_string(payload, "id")
    email = _required_string(payload, "email")
    name = _required_string(payload, "name")
    return RegisterUser(validate_user_id(user_id if user_id is not None else new_id), email, name)


def change_email_command(user_id: str, payload: Mapping[str, Any]) -> ChangeEmail:
    _reject_unknown_fields(payload, ("email",))
    email = _required_string(payload, "email")
    return ChangeEmail(validate_user_id(user_id), email)


def list_limit(raw: str | None) -> int:
    """Parse the ?limit= query value of GET /users."""
    if raw is None:
        return DEFAULT_LIST_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST_LIMIT:
        raise invalid(f"invalid limit {raw[:40]!r}: expected an integer from 1 to {MAX_LIST_LIMIT}")
    return int(raw)


def user_body(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.value,
        "name": user.name,
        "is_active": user.is_active,
    }


def users_body(users: list[User], limit: int) -> dict[str, Any]:
    return {"users": [user_body(u) for u in users[:limit]], "total": len(users)}


def error_for(error: DomainError | EventDeliveryFailed) -> ApiError:
    """Map a domain error, or a failed event delivery, to its HTTP response."""
    if isinstance(error, UserNotFound):
        return not_found(str(error))
    if isinstance(error, EmailAlreadyInUse | UserAlreadyActive | UserAlreadyInactive):
        return ApiError(409, "conflict", str(error))
    if isinstance(error, InvalidEmail | EmptyName):
        return invalid(str(error))
    if isinstance(error, EventDeliveryFailed):
        return ApiError(500, "event_delivery_failed", str(error))
    return ApiError(422, "rejected", str(error))


def dumps(body: Mapping[str, Any]) -> bytes:
    """Serialise a response body; ASCII escapes keep any stored text encodable."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
