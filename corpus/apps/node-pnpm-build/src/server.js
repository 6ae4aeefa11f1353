// A tiny quotes service: GET /health answers "ok", GET / a quote and the uptime.
const http = require("node:http");
const ms = require("ms");

const quotes = [
  "Make it work, make it right, make it fast.",
  "Simplicity is prerequisite for reliability.",
  "Programs must be written for people to read.",
];
const started = Date.now();

const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  if (req.url === "/") {
    const quote = quotes[Math.floor(Math.random() * quotes.length)];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ quote, uptime: ms(Date.now() - started) }));
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.env.PORT) || 3000);
