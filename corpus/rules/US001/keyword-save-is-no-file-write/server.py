from flask import Flask
import render

app = Flask(__name__)


@app.route("/<name>")
def draw(name):
    render.picture("out/" + name + ".png")
    return "ok"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
