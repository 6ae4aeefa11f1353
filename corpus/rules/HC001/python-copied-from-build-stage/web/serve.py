import os

import bottle


@bottle.route("/")
def index():
    return "ok"


bottle.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5050")))
