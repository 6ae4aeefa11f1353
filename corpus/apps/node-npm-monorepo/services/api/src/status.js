'use strict';

const ms = require('ms');

const bootedAt = Date.now();

function uptime() {
  const elapsed = Date.now() - bootedAt;
  return { ms: elapsed, human: ms(elapsed, { long: true }) };
}

function parseWindow(value, fallback) {
  if (!value) return fallback;
  const parsed = ms(value);
  return typeof parsed === 'number' && parsed > 0 ? parsed : fallback;
}

module.exports = { uptime, parseWindow };
