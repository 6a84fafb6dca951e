"""The web entry: Twilio's SMS and status webhooks, the signature check, TwiML for SMS, health,
the simulator (dev mode only), the effects applier, and the coordinator dashboard (`dashboard/`).

May import: `flows` (the engine, staff commands), `workers` (what the CLI also runs inline: a
broadcast's start, a meeting's cancellation), `textline.models` and `textline.core`; never
`textline.voice` or `textline.cli`.
"""
