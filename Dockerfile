# The refactor CLI in a container. Build: docker build -t refactor .
#   docker run --rm -v "$PWD":/work refactor --diff Dockerfile
#   docker run --rm -i refactor - --stdin-filename Dockerfile < Dockerfile
# The runtime stage installs the wheels through a bind mount (BuildKit or Buildah).

FROM python:3.12 AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# the dependencies first: their wheels stay cached until pyproject.toml changes
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip wheel --wheel-dir /wheels -r requirements.txt
COPY README.md ./
COPY grammar/ grammar/
COPY refactor/ refactor/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
RUN groupadd --system app \
    && useradd --system --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --disable-pip-version-check --root-user-action=ignore /wheels/*.whl
WORKDIR /work
USER app
ENTRYPOINT ["refactor"]
CMD ["--help"]
