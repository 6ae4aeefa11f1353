import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { findItem, listItems } from "./items";

const port = Number(process.env.PORT) || 3000;
const startedAt = new Date();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");

  if (req.method !== "GET" && req.method !== "HEAD") {
    sendJson(res, 405, { error: "method not allowed" });
    return;
  }

  if (url.pathname === "/health") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("ok");
    return;
  }

  if (url.pathname === "/") {
    sendJson(res, 200, {
      service: "inventory-api",
      startedAt: startedAt.toISOString(),
      items: listItems().length,
    });
    return;
  }

  if (url.pathname === "/items") {
    sendJson(res, 200, listItems());
    return;
  }

  const match = /^\/items\/([A-Za-z0-9-]+)$/.exec(url.pathname);
  if (match) {
    const item = findItem(match[1]);
    if (item) {
      sendJson(res, 200, item);
    } else {
      sendJson(res, 404, { error: "no such item" });
    }
    return;
  }

  sendJson(res, 404, { error: "not found" });
}

const server = createServer(handle);

server.listen(port, () => {
  console.log(`inventory-api listening on port ${port}`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
  });
}
