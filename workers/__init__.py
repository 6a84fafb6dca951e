"""Delivers: the RQ jobs (one module per kind of work, each job taking ids only), the sender seam
to Twilio or the dev outbox, the ticker that fires timers, and the worker process.

May import: `textline.models` and `textline.core`; never `flows`, `textline.web`,
`textline.voice` or `textline.cli`.
"""
