"""Small helpers the web modules share: the current settings and line, plain answers."""
from __future__ import annotations

from flask import Response, current_app

from textline.core.line import Line
from textline.core.settings import Settings


def current_settings() -> Settings:
    return current_app.extensions["textline"]


def current_line() -> Line:
    return Line.from_settings(current_settings())


def plain(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/plain")
