'use strict';

const http = require('node:http');
const { uptime, parseWindow } = require('./status');

const port = Number(process.env.PORT) || 4000;
const window = parseWindow(process.env.STATUS_WINDOW, 5 * 60 * 1000);

function json(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/health') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
  } else if (pathname === '/status') {
    json(res, 200, { service: 'api', uptime: uptime(), windowMs: window });
  } else if (pathname === '/') {
    json(res, 200, { service: 'api', endpoints: ['/health', '/status'] });
  } else {
    json(res, 404, { error: 'not found' });
  }
});

server.listen(port, () => {
  console.log(`api listening on port ${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
