"""Decides: the conversation. `engine.handle(line, inbound)` runs the stages in order and returns
an `Outcome` (replies now, effects later as data); feature modules register their commands and
session flows in `registry`. Flows never call Twilio or RQ, and never block.

May import: `textline.models` and `textline.core`; never `workers`, `textline.web`,
`textline.voice` or `textline.cli` (effects name their jobs through `textline.core.jobs`).
"""
