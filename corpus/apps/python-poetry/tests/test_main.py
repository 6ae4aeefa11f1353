from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_health():
    response = client.get("/health")
    assert response.status_code == 200
    assert response.text == "ok"


def test_create_and_fetch_note():
    created = client.post("/notes", json={"title": "hello"}).json()
    assert client.get(f"/notes/{created['id']}").json()["title"] == "hello"
