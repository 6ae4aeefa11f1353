# The refactor CLI in a container. Build: docker build -t refactor .
#   docker run --rm -v "$PWD":/work refactor --diff Dockerfile
#   docker run --rm -i refactor - --stdin-filename Dockerfile < Dockerfile
# (--write on a mounted folder needs the folder's owner: add --user "$(id -u):$(id -g)")

FROM python:3.12 AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
# the dependencies first: their layer stays cached until pyproject.toml changes
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip install -r requirements.txt
COPY README.md ./
COPY grammar/ grammar/
COPY refactor/ refactor/
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && pip install --no-deps /wheels/*.whl

FROM python:3.12-slim
RUN groupadd --system app \
    && useradd --system --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=build /opt/venv /opt/venv
WORKDIR /work
USER app
ENTRYPOINT ["refactor"]
CMD ["--help"]
