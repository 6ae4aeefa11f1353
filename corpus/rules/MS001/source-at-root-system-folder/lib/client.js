module.exports = require("ws");
