"""Link shortener kept in memory, served by bottle's built-in server."""
import hashlib
import os

import bottle

app = bottle.Bottle()
LINKS: dict[str, str] = {}


def shorten(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]


@app.get("/health")
def health():
    bottle.response.content_type = "text/plain"
    return "ok"


@app.post("/links")
def create_link():
    url = (bottle.request.json or {}).get("url", "")
    if not url.startswith(("http://", "https://")):
        bottle.response.status = 422
        return {"error": "url must start with http:// or https://"}
    code = shorten(url)
    LINKS[code] = url
    bottle.response.status = 201
    return {"code": code, "url": url}


@app.get("/<code>")
def follow(code):
    if code not in LINKS:
        bottle.abort(404, "unknown link")
    bottle.redirect(LINKS[code], 302)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "5000")), quiet=True)
