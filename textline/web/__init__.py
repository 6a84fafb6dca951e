"""The web entry: Twilio's SMS and status webhooks, the signature check, TwiML for SMS, health,
the simulator (dev mode only), the effects applier, and the coordinator dashboard (`dashboard/`).

May import: `flows`, `workers` (for job functions it names, never to run them inline),
`textline.models` and `textline.core`; never `textline.voice` or `textline.cli`.
"""
