import json
import time

import requests

while True:
    reading = requests.get("http://sensor.local/reading", timeout=5).json()
    with open("/app/data/readings.jsonl", "a") as out:
        out.write(json.dumps(reading) + "\n")
    time.sleep(60)
