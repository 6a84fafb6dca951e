"""The line's records, one module per family of Redis keys (`tl:...`): members, staff, users,
sessions, groups, meetings, check-ins, plans, signals, prompts, cases, broadcasts, outbound
messages, the inbound log, requests (call-backs), audit, and the status-hook registry.

Each module owns its keys: nothing outside it builds them. Multi-key changes go in one
pipeline, transaction or Lua script.

May import: `textline.core` and other modules of `textline.models` (without circles); never
`flows`, `workers`, `textline.web`, `textline.voice` or `textline.cli`.
"""
