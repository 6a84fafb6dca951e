"""Dashboard pages: time to render and bytes sent, for a line with many members, against /healthz.

Seeds a private embedded Redis with N active members (with foundation data
only: check-ins, cases and call-backs appear once those features are merged),
a roster and a week of delivery counts, signs a coordinator in through the
login form, then fetches each page several times through the real app
(Flask's test client, no network) and prints the median time, the bytes, and
the ratio to `GET /healthz` measured the same way in the same run.

    .venv/bin/python bench/dashboard.py [--members 2000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

PAGES = ("/dashboard/", "/dashboard/cases", "/dashboard/callbacks", "/dashboard/groups", "/dashboard/members",
         "/dashboard/meetings", "/dashboard/broadcast", "/dashboard/roster", "/dashboard/delivery",
         "/dashboard/impact")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from textline import create_app
    from textline.core.embedded_redis import EmbeddedRedis
    from textline.core.line import Line
    from textline.core.settings import Settings
    from textline.models import members, outbound, staff, users

    folder = Path(tempfile.mkdtemp(prefix="tl-bench-dash-"))
    server = EmbeddedRedis(folder)
    try:
        settings = Settings(redis_url=server.ensure_running(), secret_key="bench", public_url="http://bench.local",
                            dev=True)
        line = Line.from_settings(settings)
        line.r.flushdb()
        now = line.now()
        for n in range(args.members):
            phone = f"+1202{n // 10000 + 555:03d}{n % 10000:04d}"
            members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
            members.activate(line.r, phone, now)
        for n in range(12):
            staff.add(line.r, f"Staff {n}", f"+1312555{n:04d}", list(staff.Role)[n % 3])
        for n in range(50):
            msg_id = outbound.create(line, f"+1202555{n:04d}", "bench", kind=outbound.Kind.REPLY, queue="replies")
            assert msg_id
            outbound.mark(line, msg_id, outbound.Status.SENT, sid=f"SMbench{n}")
        users.add(line.r, "bench@example.org", users.AccountRole.COORDINATOR, "bench passphrase", at=now)

        client = create_app(settings).test_client()
        page = client.get("/dashboard/login", base_url=settings.public_url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        answer = client.post("/dashboard/login", base_url=settings.public_url, data={
            "email": "bench@example.org", "password": "bench passphrase", "csrf_token": token.group(1)})
        assert answer.status_code == 302, answer.status_code

        def measure(path: str) -> tuple[float, float, int]:
            line.r.delete("tl:dash:impact:checkins")  # the first fetch computes, later ones may be cached
            times, size = [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(path, base_url=settings.public_url)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
                size = len(response.data)
            return times[0] * 1000, statistics.median(times) * 1000, size

        _, base, _ = measure("/healthz")
        print(f"{args.members} members; first fetch and median of {args.repeat}; GET /healthz {base:.1f} ms")
        print(f"{'page':24} {'first ms':>9} {'median ms':>10} {'x healthz':>10} {'bytes':>8}")
        for path in PAGES:
            first, ms, size = measure(path)
            print(f"{path:24} {first:9.1f} {ms:10.1f} {ms / base:10.1f} {size:8d}")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
