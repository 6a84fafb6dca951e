"""The one Redis that holds everything: `REDIS_URL`, or the embedded server."""
from __future__ import annotations

import atexit
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from textline.core.embedded_redis import EmbeddedRedis
from textline.core.settings import Settings

_lock = threading.Lock()
_clients: dict[tuple[str, bool], redis.Redis] = {}
_embedded: dict[str, object] = {}


def redis_url(settings: Settings) -> str:
    """`REDIS_URL`, or the URL of the embedded server (started when nothing answers on its socket)."""
    if settings.redis_url:
        return settings.redis_url
    key = str(settings.data_dir.resolve())
    with _lock:
        server = _embedded.get(key)
        if server is None:
            server = EmbeddedRedis(settings.data_dir.resolve())
            server.ensure_running()
            atexit.register(server.stop)
            _embedded[key] = server
    return server.url  # type: ignore[attr-defined]


def connect(settings: Settings, *, decode: bool = True) -> redis.Redis:
    """A shared client: `decode=True` for textline's own keys, `decode=False` for RQ."""
    url = redis_url(settings)
    key = (url, decode)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = redis.Redis.from_url(
                url, decode_responses=decode, socket_timeout=5, socket_connect_timeout=2,
                health_check_interval=10, retry=Retry(NoBackoff(), 1),
            )
            _clients[key] = client
    return client


def forget_clients() -> None:
    """Drop cached clients (after a fork, or when tests switch servers)."""
    with _lock:
        _clients.clear()
