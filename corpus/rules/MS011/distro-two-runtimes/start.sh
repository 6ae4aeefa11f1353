#!/bin/sh
node server.js & python3 worker.py
