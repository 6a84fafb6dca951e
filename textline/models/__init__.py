"""The line's records, one module per family of Redis keys (`tl:...`): members, staff, users,
sessions, groups, meetings, agreements, check-ins, plans, signals, prompts, personal reminders,
cases and alerts, broadcasts, outbound messages, voice notices, the inbound log and inbound rate,
requests (call-backs), member references, audit.

Each module owns its keys: nothing outside it builds them (a member's own keys go under
`members.sub_key(phone, ...)`, the one place the `tl:member:{phone}:` prefix is spelled).
Multi-key changes go in one pipeline, transaction or Lua script. Two modules sit on top of the
others and list them: `hooks` (every status hook) and `member_data` (every feature's export,
erase and `members show` field); no feature module imports them.

May import: `textline.core` and other modules of `textline.models` (without circles); never
`flows`, `workers`, `textline.web`, `textline.voice` or `textline.cli`.
"""
