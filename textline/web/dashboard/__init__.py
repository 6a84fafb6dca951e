"""The coordinator dashboard at `/dashboard/`: the line at a glance, light enough for a cheap phone.

Server-rendered pages with one small inline stylesheet and no external
resource; each page stays well under 100 KB. Modules: `auth` (logins,
sessions, CSRF, roles), `render` (templates), `data` (what each feature
shows, in one place), `actions` (changes, through the code SMS commands
use), and the pages: `work` (Now, cases, call-backs), `people` (groups,
members, roster), `outreach` (meetings, broadcast, delivery), `impact`.
"""
from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    from textline.web.dashboard.auth import install

    install(state.app)


from textline.web.dashboard import auth, impact, outreach, people, render, work  # noqa: E402,F401  (routes)
