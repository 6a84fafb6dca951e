"""`/healthz`: 200 with Redis up, 503 without."""
from __future__ import annotations

from tests.support.harness import Harness
from textline import create_app


def test_healthz_is_200_with_redis_up(line: Harness) -> None:
    response = line.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["redis"] == "up"


def test_healthz_and_webhooks_are_503_with_redis_down(line: Harness) -> None:
    app = create_app(line.settings.but(redis_url="redis://127.0.0.1:1/0"))
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    params = {"MessageSid": "SM" + "d" * 32, "From": "+12025550101", "To": "+15005550006", "Body": "hi"}
    response = client.post("/twilio/sms", data=params, base_url="https://line.example.org",
                           headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)})
    assert response.status_code == 503
