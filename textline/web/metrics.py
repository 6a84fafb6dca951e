"""`GET /metrics`: the line's figures in Prometheus's text format, for a bearer token or loopback only.

Counts live in Redis (textline/models/metrics.py), so whichever web process answers a scrape shows
what every web and worker process counted; queue depths and open cases are read at scrape time.
A prometheus-client Collector of our own turns them into metric families: the process-local
default registry is not used (one process's figures would be a fraction of the line's).

Access: with `TEXTLINE_METRICS_TOKEN` set, only `Authorization: Bearer <token>`. Unset, only a
request from the loopback address: the address after ProxyFix (`[web] proxies`), and never a
request that came through a proxy the settings do not account for (it carries a forwarding
header while its socket peer is loopback: a reverse proxy on the same machine, a stranger behind it).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from flask import Blueprint, Request, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from textline.core import queues
from textline.core.line import Line
from textline.core.settings import Settings
from textline.models import cases, metrics
from textline.web.context import current_line, current_settings, plain
from textline.web.health import has_token

bp = Blueprint("metrics", __name__)
#: Headers a proxy adds to say whom it forwards for; ProxyFix reads only X-Forwarded-For.
FORWARDING = ("X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Client-Ip", "True-Client-Ip")


class LineCollector(Collector):
    """The line's figures, read from Redis when Prometheus scrapes."""

    def __init__(self, line: Line) -> None:
        self.line = line

    def collect(self) -> Iterator[Metric]:
        counters, histograms = metrics.read(self.line.r)
        for counter, rows in counters.items():
            family = CounterMetricFamily(counter.name, counter.doc, labels=counter.labels)
            for labels, n in rows.items():
                family.add_metric(labels, n)
            yield family
        for histogram, found in histograms.items():
            hist = HistogramMetricFamily(histogram.name, histogram.doc, labels=histogram.labels)
            bounds = [_bound(b) for b in histogram.buckets] + ["+Inf"]
            for row in found:
                hist.add_metric(row.labels, list(zip(bounds, row.cumulative, strict=True)), row.sum)
            yield hist
        depth = GaugeMetricFamily("textline_queue_depth", "Jobs waiting in each queue.", labels=("queue",))
        for name in queues.ALL:
            depth.add_metric((name,), queues.queue(self.line, name).count)
        yield depth
        yield GaugeMetricFamily("textline_cases_open", "Crisis cases nobody has acknowledged yet.",
                                value=len(cases.open_ids(self.line.r)))


def _bound(value: float) -> str:
    return repr(float(value))


def from_loopback(settings: Settings, req: Request) -> bool:
    """True for a request whose client is this machine, as far as the declared proxies let us know.

    With `[web] proxies` = N, ProxyFix has put the client address the N-th proxy saw in remote_addr,
    provided X-Forwarded-For holds N addresses; with fewer it left the proxy's own address there, which
    must not pass for the client's. With no proxies declared, any forwarding header means a proxy (or
    someone pretending) stands between: not loopback.
    """
    try:
        address = ipaddress.ip_address(req.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_loopback:
        return False
    hops = settings.web_proxies
    chain = [part for part in req.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if hops:
        return len(chain) >= hops or not any(req.headers.get(name) for name in FORWARDING)
    return not any(req.headers.get(name) for name in FORWARDING)


@bp.get("/metrics")
def scrape() -> Response:
    settings = current_settings()
    if settings.metrics_token:
        if not has_token(settings, request):
            return plain("metrics need Authorization: Bearer <TEXTLINE_METRICS_TOKEN>", 403)
    elif not from_loopback(settings, request):
        return plain("metrics answer loopback requests only (or set TEXTLINE_METRICS_TOKEN)", 403)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LineCollector(current_line()))
    return Response(generate_latest(registry), mimetype=None, content_type=CONTENT_TYPE_LATEST)
