'use strict';

const path = require('path');
const express = require('express');
const notes = require('./routes/notes');

const app = express();
app.use(express.json({ limit: '8kb' }));
app.use(express.static(path.join(__dirname, 'public')));
app.get('/health', (req, res) => res.type('text/plain').send('ok'));
app.use('/notes', notes);

app.listen(8080, () => console.log('notes-board on :8080'));
