'use strict';

const express = require('express');

const router = express.Router();
const notes = [];

router.get('/', (req, res) => res.json(notes));
router.post('/', (req, res) => {
  const text = req.body && String(req.body.text || '').trim();
  if (!text) return res.status(400).json({ error: 'text is required' });
  notes.push({ id: notes.length + 1, text });
  return res.status(201).json(notes[notes.length - 1]);
});

module.exports = router;
