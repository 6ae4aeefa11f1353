require("./lib/client");
