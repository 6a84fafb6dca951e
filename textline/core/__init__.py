"""The line's plumbing, which knows no feature: settings, Redis (and the embedded server), clock,
logs, errors, durations, phone numbers, GSM-7, the message catalog, queues, timers, the send
limiter, quiet hours, and the name of every job (`jobs`).

May import: other modules of `textline.core`, the standard library and third-party packages;
never `textline.models`, `flows`, `workers`, `textline.web`, `textline.voice` or `textline.cli`.
"""
