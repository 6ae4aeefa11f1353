'use strict';

const express = require('express');
const { LinkStore } = require('./lib/store');

const app = express();
const store = new LinkStore();
const port = Number(process.env.PORT) || 8080;

app.use(express.json({ limit: '16kb' }));

app.get('/health', (req, res) => {
  res.type('text/plain').send('ok');
});

app.get('/', (req, res) => {
  res.json({ service: 'link-shortener', links: store.size() });
});

app.post('/links', (req, res) => {
  const url = req.body && req.body.url;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error('unsupported protocol');
    }
  } catch (err) {
    return res.status(400).json({ error: 'a valid http(s) url is required' });
  }
  const code = store.add(url);
  res.status(201).json({ code, path: `/${code}` });
});

app.get('/:code', (req, res) => {
  const link = store.get(req.params.code);
  if (!link) {
    return res.status(404).json({ error: 'unknown code' });
  }
  link.hits += 1;
  res.redirect(302, link.url);
});

const server = app.listen(port, () => {
  console.log(`link-shortener listening on port ${port}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
