"""Language-server latency: from a change to the diagnostics for it, through the protocol.

    python benchmarks/lsp.py [--changes N] [--lines L]

Starts `refactor lsp` as an editor would (a subprocess speaking JSON-RPC over stdio),
initialises it, opens a legacy Dockerfile of about L lines (default 200: a single stage of
ENV, LABEL, RUN with continuations, COPY and a command, with a requirements.txt beside it),
then sends N incremental changes (default 40), each editing one line, and times each from
the moment the didChange is written to the moment the publishDiagnostics carrying that
version is read. Prints the median, 90th percentile and maximum against the target: median
under 100 ms. Also prints the time from start to the first diagnostics (the cold start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dockerfile(lines: int) -> str:
    out = ["FROM python:3.12", "WORKDIR /app"]
    k = 0
    while len(out) < lines - 6:
        k += 1
        out += [f"ENV SETTING_{k}=value-{k}", f'LABEL org.example.item{k}="{k}"',
                f"RUN apt-get update && apt-get install -y curl \\",
                f"    && echo step {k} > /tmp/step{k}"]
    out += ["COPY . .", "RUN pip install -r requirements.txt", "EXPOSE 8000",
            "CMD python -m app"]
    return "\n".join(out) + "\n"


class Client:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "refactor", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, cwd=ROOT)
        self.next_id = 0

    def send(self, method: str, params: dict, request: bool = False) -> int | None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return message.get("id")

    def read(self) -> dict:
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def wait(self, predicate) -> dict:
        while True:
            message = self.read()
            if predicate(message):
                return message

    def close(self) -> None:
        self.send("shutdown", {}, request=True)
        self.send("exit", {})
        self.proc.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=40)
    ap.add_argument("--lines", type=int, default=200)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        text = dockerfile(ns.lines)
        path.write_text(text)
        (Path(tmp) / "requirements.txt").write_text("flask==3.0.3\n")
        uri = path.as_uri()
        started = time.perf_counter()
        client = Client()
        rid = client.send("initialize", {"processId": os.getpid(), "rootUri": Path(tmp).as_uri(),
                                         "capabilities": {}}, request=True)
        client.wait(lambda m: m.get("id") == rid)
        client.send("initialized", {})
        client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                                              "version": 1, "text": text}})
        first = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        cold = time.perf_counter() - started
        timings = []
        for version in range(2, ns.changes + 2):
            line = 2 + (version % 40) * 4  # an ENV line
            change = {"range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 11}},
                      "text": f"SETTING{version % 10}"[:7]}
            sent = time.perf_counter()
            client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                   "contentChanges": [change]})
            client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"].get("version") == version)
            timings.append(time.perf_counter() - sent)
        client.close()
    timings.sort()
    median = statistics.median(timings)
    p90 = timings[int(len(timings) * 0.9) - 1]
    print(f"{ns.lines}-line Dockerfile, {len(first['params']['diagnostics'])} diagnostics")
    print(f"cold start to first diagnostics: {cold * 1000:.0f} ms")
    print(f"change to diagnostics over {len(timings)} changes: median {median * 1000:.1f} ms, "
          f"p90 {p90 * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms (target: median under 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
