import os

from aiohttp import web


async def index(request):
    return web.Response(text="board")


app = web.Application()
app.router.add_get("/", index)
web.run_app(app, host=os.getenv("BIND_HOST", "0.0.0.0"), port=int(os.getenv("BOARD_PORT", "8081")))
