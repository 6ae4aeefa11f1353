"""Two small Dockerfiles that the report-format and pre-commit tests share: a legacy one with
safe and review changes, and one that is already production-grade (nothing to change)."""

LEGACY = "FROM python:3.12-slim\nMAINTAINER Ops <ops@example.com>\nCOPY . /app\nCMD python /app/main.py\n"
GOOD = """\
FROM python:3.12-slim
LABEL org.opencontainers.image.authors="Ops <ops@example.com>"
RUN groupadd --system app \\
    && useradd --system --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY main.py /app/
USER app
CMD ["python", "/app/main.py"]
"""
