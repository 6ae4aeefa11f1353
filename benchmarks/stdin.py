"""Wall time of the editor's format-on-save call: a fresh `refactor` process on standard input.

    python benchmarks/stdin.py [--repeat N]

An editor formats a Dockerfile on save by starting `refactor - --safe-only --stdin-filename
Dockerfile`, piping the buffer in and waiting for the whole new file: every save pays for a
cold interpreter, the imports, the parse and the rules, and the editor blocks until it is done
(conform.nvim gives up after its timeout). This runs that exact command, through the `refactor`
script installed beside this Python as an editor finds it on PATH, on a typical 30-line legacy
Dockerfile with its build context, N times (default 15) after one untimed run that warms the
disk cache, and prints the median, min and max wall time against the target of 300 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300
ARGS = ["-", "--safe-only", "--stdin-filename", "Dockerfile"]

# A Django service as it is often found: single stage, root, split apt-get, ADD, no cleanup.
DOCKERFILE = """\
# docker build -t mysite .
FROM python:3.11
MAINTAINER Data Team <data@example.com>

ENV PYTHONDONTWRITEBYTECODE 1
ENV PYTHONUNBUFFERED 1

# system packages for Pillow and psycopg2
RUN apt-get update
RUN apt-get install -y gcc libpq-dev libjpeg-dev zlib1g-dev
RUN apt-get install -y curl

WORKDIR srv/app
ADD . /srv/app
RUN pip install --upgrade pip
RUN pip install -r requirements.txt

RUN python manage.py collectstatic --noinput

ENV DJANGO_SETTINGS_MODULE mysite.settings.production
ENV PORT 8000

RUN mkdir -p /srv/app/media
VOLUME /srv/app/media

EXPOSE 8000

# migrations run at start so a new release brings its schema
CMD python manage.py migrate --noinput && \\
    gunicorn --workers 3 --bind 0.0.0.0:8000 mysite.wsgi:application
"""
CONTEXT = {
    "requirements.txt": "Django==5.0.6\ngunicorn==22.0.0\npsycopg2==2.9.9\nPillow==10.3.0\n",
    "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\n"
                 "execute_from_command_line(sys.argv)\n",
}


def refactor_command() -> list[str]:
    script = shutil.which("refactor", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "refactor"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    cmd = [*refactor_command(), *ARGS]
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in {"Dockerfile": DOCKERFILE, **CONTEXT}.items():
            Path(tmp, name).write_text(text)

        def once() -> float:
            start = time.perf_counter()
            out = subprocess.run(cmd, input=DOCKERFILE, capture_output=True, text=True, cwd=tmp, env=env)
            wall = time.perf_counter() - start
            if out.returncode != 0 or not out.stdout:
                sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr}")
            return wall

        once()
        walls = [once() for _ in range(args.repeat)]
    lines = DOCKERFILE.count("\n")
    print("refactor " + " ".join(ARGS))
    print(f"fresh process on a {lines}-line Dockerfile, {args.repeat} runs: median "
          f"{statistics.median(walls) * 1000:.0f} ms, min {min(walls) * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms "
          f"(target < {TARGET_MS} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
