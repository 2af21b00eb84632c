"""The load generators' safety check: send load only to loopback unless explicitly allowed."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

ALLOW_REMOTE_ENV = "DDD_BENCH_ALLOW_REMOTE_TARGET"


class TargetError(ValueError):
    """The load target is not a loopback URL and remote targets were not allowed."""


def remote_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(ALLOW_REMOTE_ENV, "") == "1"


def require_loopback(url: str, *, allow_remote: bool = False) -> str:
    """Return url when its host is a loopback address or 'localhost'; raise TargetError otherwise.

    Host names other than 'localhost' are rejected rather than resolved, so a name
    that points somewhere else cannot slip through.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"invalid load target {url!r}: expected http://HOST:PORT")
    if allow_remote:
        return url
    host = parts.hostname
    if host == "localhost":
        return url
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise TargetError(
            f"refusing to send load to {host!r}: only loopback targets (127.0.0.0/8, ::1, "
            f"localhost) are allowed; set {ALLOW_REMOTE_ENV}=1 to load a server you run "
            "on another machine"
        )
    return url
