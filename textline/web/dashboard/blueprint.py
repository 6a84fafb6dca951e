"""The dashboard's blueprint, on its own so that every page module imports it and nothing else of the package."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")
