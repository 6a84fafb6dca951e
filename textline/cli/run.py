"""Running the line: dev, web, worker, tick, simulate, outbox."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from xml.etree import ElementTree

import click

from textline.cli import common
from textline.core import queues
from textline.core.line import Line


@click.command()
@click.option("--port", default=5000, show_default=True, help="Port for the web app and simulator.")
def dev(port: int) -> None:
    """Everything on one machine, in dev mode: embedded Redis, web, a worker with the ticker, the simulator page."""
    from textline.core.embedded_redis import EmbeddedRedis

    os.environ["TEXTLINE_ENV"] = "dev"  # the one command that is development by itself; its processes inherit it
    settings = common.settings()
    env = dict(os.environ)
    server = None
    if not settings.redis_url:
        server = EmbeddedRedis(settings.data_dir.resolve())
        env["REDIS_URL"] = server.ensure_running()
    env.setdefault("TEXTLINE_SECRET_KEY", uuid.uuid4().hex)
    exe = [sys.executable, "-m", "textline.cli"]
    procs = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b",
                          f"127.0.0.1:{port}", "--access-logfile", "-", "textline:create_app()"], env=env),
        subprocess.Popen([*exe, "worker"], env=env),
    ]
    click.echo(f"textline is running. Text the line at http://127.0.0.1:{port}/simulator  (Ctrl-C stops)")
    click.echo("dev mode: nothing reaches Twilio; `textline outbox` shows what would have been sent.")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if server is not None:
            server.stop()
    click.echo("textline stopped.")


@click.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", "web_workers", default=2, show_default=True, help="gunicorn worker processes.")
def web(port: int, web_workers: int) -> None:
    """The web process (gunicorn): webhooks, dashboard, health. Production unless TEXTLINE_ENV=dev."""
    common.serving_settings()
    if not os.environ.get("TEXTLINE_SECRET_KEY"):  # dev mode only: production refused to start above
        # One key for every gunicorn worker of this start, or a dashboard login works on one worker only.
        os.environ["TEXTLINE_SECRET_KEY"] = uuid.uuid4().hex + uuid.uuid4().hex
        click.echo("TEXTLINE_SECRET_KEY is not set: dashboard sessions end when this process stops.", err=True)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-w", str(web_workers), "--threads", "4",
                              "-b", f"0.0.0.0:{port}", "textline:create_app()"])


@click.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--queues", "names", default=",".join(queues.ALL), show_default=True,
              help="Queues to serve, highest priority first.")
def worker(burst: bool, names: str) -> None:
    """An RQ worker over the queues, crisis first, with the ticker beside it. Production unless TEXTLINE_ENV=dev."""
    from textline.core import logs
    from workers import process, runtime, ticker

    logs.configure()
    settings = common.serving_settings()
    logs.warn_if_dev(settings)
    line = Line.from_settings(settings)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in queues.ALL]
    if unknown or not wanted:
        raise click.ClickException(f"unknown queue(s): {', '.join(unknown) or '(none)'}; known: "
                                   + ", ".join(queues.ALL))
    runtime.warm()
    _migrate(line)
    if burst:  # a few rounds: jobs may set timers that are already due
        process.drain(line, wanted, rounds=20)
        return
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the ticker: its own process, so forking job horses never copies its state
        try:
            ticker.run(line, parent=parent)
        finally:
            os._exit(0)
    try:
        process.serve(line, wanted)
    finally:
        os.kill(pid, signal.SIGTERM)


def _migrate(line: Line) -> None:
    """Stored records of an older kind brought up to date, once per Redis (signal words: SHA-256 -> scrypt)."""
    from redis.exceptions import RedisError

    from textline.models import signals

    try:
        wrapped = signals.migrate(line.r)
    except RedisError as exc:  # Redis not up yet: the next worker start tries again, and matches() wraps meanwhile
        click.echo(f"signal words not migrated yet: redis unavailable ({type(exc).__name__})", err=True)
        return
    if wrapped:
        click.echo(f"{wrapped} signal word digest(s) moved from SHA-256 to scrypt.", err=True)


@click.command(hidden=True)
def tick() -> None:
    """Run the ticker alone (normally it runs beside every worker)."""
    from textline.core import logs
    from workers import ticker

    logs.configure()
    ticker.run(Line.from_settings(common.serving_settings()))


@click.command()
@click.option("--from", "sender", required=True, help="The member's number.")
@click.option("-v", "--verbose", is_flag=True, help="Show the line's log lines too, DEBUG included (on stderr).")
@click.argument("text")
def simulate(sender: str, text: str, verbose: bool) -> None:
    """Send TEXT through the real webhook path and print only the line's replies ("(no reply)" when none)."""
    import logging

    from twilio.request_validator import RequestValidator

    from textline import create_app

    settings = common.serving_settings()
    phone = common.phone(sender)
    app = create_app(settings)
    if not verbose:  # create_app logs at INFO for the servers; here only the conversation is wanted
        logging.getLogger().setLevel(logging.WARNING)
    else:  # the line's own DEBUG lines too (each text's "sms ... from ***1234: 1 replies" is one)
        for name in ("textline", "flows"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    base = settings.public_url or "http://localhost"
    params = {"MessageSid": "SMsim" + uuid.uuid4().hex, "AccountSid": settings.account_sid or "ACsimulator",
              "From": phone, "To": settings.number, "Body": text, "NumMedia": "0"}
    headers = {}
    if settings.auth_token:
        headers["X-Twilio-Signature"] = RequestValidator(settings.auth_token).compute_signature(
            base + "/twilio/sms", params)
    response = app.test_client().post("/twilio/sms", data=params, headers=headers, base_url=base)
    if response.status_code != 200:
        raise click.ClickException(f"the webhook answered HTTP {response.status_code}")
    replies = ["".join(message.itertext()) for message in ElementTree.fromstring(response.data).iter("Message")]
    for reply in replies:
        click.echo(reply)
    if not replies:
        click.echo("(no reply)")


@click.command()
@common.json_option
def outbox(as_json: bool) -> None:
    """Dev mode: what would have been sent."""
    from workers.senders import read_outbox

    common.emit(read_outbox(common.line().r), as_json, ["sid", "kind", "to", "body"])
