"""Tiny inventory service backed by PostgreSQL, on Debian's own Python.

/health never touches the database, so the container can be probed
without one. /items opens a connection lazily on first use.
"""
import os

import psycopg2
from flask import Flask, jsonify

app = Flask(__name__)

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql://app:app@localhost:5432/app"
)


def get_connection():
    return psycopg2.connect(DATABASE_URL, connect_timeout=3)


@app.get("/health")
def health():
    return "ok", 200, {"Content-Type": "text/plain"}


@app.get("/version")
def version():
    return jsonify(psycopg2=psycopg2.__version__, libpq=psycopg2.extensions.libpq_version())


@app.get("/items")
def items():
    try:
        conn = get_connection()
    except psycopg2.OperationalError as exc:
        return jsonify(error="database unavailable", detail=str(exc).strip()), 503
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, name FROM items ORDER BY id")
            rows = [{"id": r[0], "name": r[1]} for r in cur.fetchall()]
    finally:
        conn.close()
    return jsonify(items=rows)
