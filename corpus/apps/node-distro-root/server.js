'use strict';

const express = require('express');
const checks = require('./lib/checks');

const app = express();
app.get('/health', (req, res) => res.type('text/plain').send('ok'));
app.get('/status', (req, res) => res.json({ service: 'status-page', checks: checks.run() }));
app.listen(8080, () => console.log('status-page on :8080'));
