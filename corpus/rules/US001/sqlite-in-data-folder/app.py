import sqlite3

db = sqlite3.connect("/data/app.db")
db.execute("create table if not exists t (x)")
