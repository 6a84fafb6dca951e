"""textline: a text line for peer-support groups, reachable from any phone.

This module only defines `create_app()`; blueprints are imported inside it so
that `flows` and `workers` can import textline's core without the web layer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from textline.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """The web app: Twilio webhooks, health, dashboard, and the simulator in dev mode."""
    from flask import Flask
    from redis.exceptions import RedisError

    from flows import crisis
    from textline import crisis_voice, health, logs, voice, webhooks
    from textline.settings import Settings
    from textline.web import plain

    settings = settings or Settings.from_env()
    logs.configure()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    app.extensions["textline"] = settings
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(crisis_voice.bp)
    crisis.warm()

    from textline import dashboard, voice_bridge

    app.register_blueprint(voice.bp)
    app.register_blueprint(voice_bridge.bp)
    app.register_blueprint(dashboard.bp)
    if settings.dev_mode:
        from textline import simulator

        app.register_blueprint(simulator.bp)

    @app.errorhandler(RedisError)
    def redis_down(exc: RedisError):  # type: ignore[no-untyped-def]
        app.logger.warning("redis unavailable: %s", type(exc).__name__)
        response = plain("the line's store is unavailable, try again", 503)
        response.headers["Retry-After"] = "2"
        return response

    return app
