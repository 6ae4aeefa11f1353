"""Status board: GET /health, GET /status, POST /checks/{name}."""
import os
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

STARTED = time.monotonic()
CHECKS: dict[str, str] = {}


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def status(request: Request) -> JSONResponse:
    return JSONResponse(
        {"uptime_seconds": round(time.monotonic() - STARTED, 3), "checks": CHECKS}
    )


async def report_check(request: Request) -> JSONResponse:
    name = request.path_params["name"]
    payload = await request.json()
    state = payload.get("state", "unknown")
    if state not in {"pass", "warn", "fail", "unknown"}:
        return JSONResponse({"error": f"bad state {state!r}"}, status_code=422)
    CHECKS[name] = state
    return JSONResponse({"name": name, "state": state}, status_code=201)


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/status", status),
        Route("/checks/{name}", report_check, methods=["POST"]),
    ]
)


def main() -> None:
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8080")))


if __name__ == "__main__":
    main()
