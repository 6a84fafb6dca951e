"""The phone line: voice webhooks and IVR steps (`routes`, `ivr`), what one call remembers
(`calls`), the masked peer bridge (`bridge`), the caller's crisis dial (`crisis_dial`), alert calls
to staff (`alert_calls`), and the voice TwiML renderer with the one `<Say>` voice table (`twiml`).

May import: `textline.web` (the signature check, effects, request context), `flows`,
`textline.models` and `textline.core`; never `textline.cli`.
"""
