require("dep");
