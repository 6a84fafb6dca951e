"""The dashboard's login limiter: growing delays per (email, address) and per address, never a lock on an email.

Keys (owned here): `tl:login:pair:{digest}` (one email from one client address) and
`tl:login:ip:{address}` hashes (`fails`, `until`), each living one window past its last failure.

A hard lock on an email (five wrong passwords and the account is shut for everyone) lets any
stranger lock a coordinator out; a lock on an address shared by every client (behind a proxy)
lets thirty junk logins lock out everyone. So: an email is limited only together with the address
it is tried from, and an address on its own; past the free tries, each further failure doubles the
wait (1 s, 2 s, 4 s ... up to the window). The real owner, from any other address, is never slowed
by what strangers do. The client address is the real one only when `[web] proxies` says how many
proxies to believe (werkzeug's ProxyFix, installed by create_app).

Each attempt is counted before the password is checked, in one script on Redis's clock (parallel
guesses cannot slip past the count); a right password takes its count back.
"""
from __future__ import annotations

import hashlib
import math

import redis

#: The first wait once the free tries are used; each further failure doubles it, up to the window.
FIRST_DELAY = 1.0

_ATTEMPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
for i = 1, 2 do
  local left = tonumber(redis.call('HGET', KEYS[i], 'until') or '0') - now
  if left > wait then wait = left end
end
if wait > 0 then return tostring(wait) end
local window, first = tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 1, 2 do
  local fails = redis.call('HINCRBY', KEYS[i], 'fails', 1)
  local free = tonumber(ARGV[i])
  local delay = 0
  if fails >= free then
    delay = math.min(window, first * 2 ^ (fails - free))
    redis.call('HSET', KEYS[i], 'until', tostring(now + delay))
  end
  redis.call('EXPIRE', KEYS[i], math.ceil(window + delay))
end
return '0'
"""

_SUCCEEDED = """
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  local fails = redis.call('HINCRBY', KEYS[2], 'fails', -1)
  if fails < tonumber(ARGV[1]) then redis.call('HDEL', KEYS[2], 'until') end
end
return 1
"""


def _pair(email: str, address: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()[:254]}\n{address}".encode()).hexdigest()[:32]
    return f"tl:login:pair:{digest}"


def _address(address: str) -> str:
    return f"tl:login:ip:{address or 'unknown'}"


def attempt(r: redis.Redis, email: str, address: str, *, per_pair: int, per_address: int, window: float) -> int:
    """Seconds to wait before this email may be tried from this address (0: go ahead, and it is counted)."""
    wait = float(r.eval(_ATTEMPT, 2, _pair(email, address), _address(address), per_pair, per_address,
                        max(1, int(window)), FIRST_DELAY))
    return math.ceil(wait)


def succeeded(r: redis.Redis, email: str, address: str, *, per_address: int) -> None:
    """A right password: this email's count from this address is cleared, the address's own takes one back."""
    r.eval(_SUCCEEDED, 2, _pair(email, address), _address(address), per_address)
