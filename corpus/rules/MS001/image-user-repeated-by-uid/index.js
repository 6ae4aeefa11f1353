require("ws")
