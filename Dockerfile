# syntax=docker/dockerfile:1
# Territoires connectés — production image: the service and its offline models, nothing else.
# Build: docker build -t territoires-connectes .   Run: see docker-compose.yml and the README.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# the pinned versions first, so that code changes reuse the dependency layer
COPY constraints.txt pyproject.toml README.md ./
COPY maturity ./maturity
COPY knowledge ./knowledge
COPY prompts ./prompts
COPY service ./service
RUN /opt/venv/bin/pip install --no-compile -c constraints.txt . \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="territoires-connectes" \
      org.opencontainers.image.description="Auto-évaluation, parangonnage et assistant des territoires connectés"
# WeasyPrint (the PDF synthesis) draws text with Debian's Pango and HarfBuzz; not pinned, so
# that each build takes bookworm's security updates
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 territoires \
 && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin territoires \
 && mkdir /data && chown territoires:territoires /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TERRITOIRES_DATA_DIR=/data \
    TERRITOIRES_HOST=0.0.0.0 \
    TERRITOIRES_PORT=8000
USER 10001:10001
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["territoires"]
CMD ["serve", "--workers", "2"]
