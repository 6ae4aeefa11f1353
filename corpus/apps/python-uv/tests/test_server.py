from starlette.testclient import TestClient

from server import app

client = TestClient(app)


def test_health():
    response = client.get("/health")
    assert response.status_code == 200
    assert response.text == "ok"


def test_report_check_then_status():
    assert client.post("/checks/db", json={"state": "pass"}).status_code == 201
    assert client.get("/status").json()["checks"]["db"] == "pass"
    assert client.post("/checks/db", json={"state": "sideways"}).status_code == 422
