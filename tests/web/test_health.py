"""`/healthz`: 200 with Redis up, 503 without."""
from __future__ import annotations

from tests.support.harness import Harness
from textline import create_app


def test_healthz_is_200_with_redis_up_and_says_only_ok_without_the_token(line: Harness) -> None:
    response = line.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}, "queue depths are not for anyone who asks"


def test_healthz_details_need_the_metrics_token(line: Harness) -> None:
    line.monkeypatch.setenv("TEXTLINE_METRICS_TOKEN", "health-token")
    client = create_app(line.settings.but(metrics_token="health-token")).test_client()
    for wrong in ("", "Bearer nope", "Basic health-token", "health-token"):
        assert client.get("/healthz", headers={"Authorization": wrong}).get_json() == {"status": "ok"}, wrong
    detailed = client.get("/healthz", headers={"Authorization": "Bearer health-token"}).get_json()
    assert detailed["redis"] == "up" and set(detailed["queues"]) == {"crisis", "replies", "calls", "broadcast"}


def test_healthz_and_webhooks_are_503_with_redis_down(line: Harness) -> None:
    app = create_app(line.settings.but(redis_url="redis://127.0.0.1:1/0"))
    client = app.test_client()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.get_json() == {"status": "unavailable"}
    params = {"MessageSid": "SM" + "d" * 32, "From": "+12025550101", "To": "+15005550006", "Body": "hi"}
    response = client.post("/twilio/sms", data=params, base_url="https://line.example.org",
                           headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)})
    assert response.status_code == 503
