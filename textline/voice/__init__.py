"""The phone line: voice webhooks and IVR steps, the masked peer bridge, outbound call TwiML,
the caller's crisis dial, alert calls to staff, and the voice TwiML renderer.

May import: `textline.web` (the signature check, effects, request context), `flows`,
`textline.models` and `textline.core`; never `textline.cli`.
"""
