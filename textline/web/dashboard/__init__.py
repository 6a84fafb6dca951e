"""The coordinator dashboard at `/dashboard/`: the line at a glance, light enough for a cheap phone.

Server-rendered pages with one small inline stylesheet and no external
resource; each page stays well under 100 KB. Modules: `blueprint` (the one
Blueprint every page registers on), `auth` (logins, sessions, roles, safe
headers), `csrf` (the form token), `render` (templates and filters), `data`
(what each feature shows, as view records), `actions` (changes, through the
code SMS commands and the CLI use), `config` (`[dashboard]` settings),
`charts` (server-side SVG), and the pages: `work` (Now, cases, call-backs), `conversations`
(text requests: peers' own and the queue; coordinators' counts, content only when opened),
`people` (groups, members), `roster` (staff, shifts, load), `outreach` (meetings, broadcast,
delivery), `impact`.

May import: textline.web (context, effects), flows and workers (the same
code SMS commands and the CLI run), textline.models, textline.core. The
package imports its page modules here so that `bp` carries every route.
"""
from __future__ import annotations

from textline.web.dashboard import (  # noqa: F401  (their routes)
    auth,
    conversations,
    impact,
    outreach,
    people,
    roster,
    work,
)
from textline.web.dashboard.blueprint import bp

__all__ = ["bp"]
