"""textline: a text line for peer-support groups, reachable from any phone.

This module only defines `create_app()`; blueprints are imported inside it so
that `flows` and `workers` can import textline's core without the web layer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from textline.core.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """The web app: Twilio webhooks, health, metrics, dashboard, and the simulator in dev mode.

    In production (anything but `TEXTLINE_ENV=dev` or `textline dev`) a missing Twilio credential,
    line number, public URL or secret key raises ConfigError here, so under gunicorn no worker boots.
    """
    from flask import Flask
    from redis.exceptions import RedisError
    from werkzeug.middleware.proxy_fix import ProxyFix

    from flows import crisis
    from textline.core import logs
    from textline.core.settings import Settings
    from textline.voice import alert_calls, bridge, routes
    from textline.web import health, metrics, webhooks
    from textline.web.context import plain
    from textline.web.dashboard import bp as dashboard

    settings = (settings or Settings.from_env()).require_production()
    logs.configure()
    logs.warn_if_dev(settings)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    app.extensions["textline"] = settings
    if settings.web_proxies:
        # Only as many X-Forwarded-* hops as there are proxies: a client cannot choose its own address.
        hops = settings.web_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    for blueprint in (webhooks.bp, health.bp, metrics.bp, routes.bp, bridge.bp, alert_calls.bp, dashboard):
        app.register_blueprint(blueprint)
    crisis.warm(settings)
    if settings.dev_mode:
        from textline.web import simulator

        app.register_blueprint(simulator.bp)

    @app.errorhandler(RedisError)
    def redis_down(exc: RedisError):  # type: ignore[no-untyped-def]
        app.logger.warning("redis unavailable: %s", type(exc).__name__)
        response = plain("the line's store is unavailable, try again", 503)
        response.headers["Retry-After"] = "2"
        return response

    return app
