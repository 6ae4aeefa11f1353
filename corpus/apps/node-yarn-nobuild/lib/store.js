'use strict';

const crypto = require('node:crypto');

class LinkStore {
  constructor() {
    this.links = new Map();
  }

  add(url) {
    let code;
    do {
      code = crypto.randomBytes(4).toString('base64url').slice(0, 6);
    } while (this.links.has(code));
    this.links.set(code, { url, hits: 0, createdAt: new Date().toISOString() });
    return code;
  }

  get(code) {
    return this.links.get(code);
  }

  size() {
    return this.links.size;
  }
}

module.exports = { LinkStore };
