# The review image. Build from the repository root:
#   docker build -f deploy/docker/review.Dockerfile -t wenping/review:1.0.0 .
# Multi-stage: wheels are built with the lock's setuptools/wheel in the first stage; the runtime stage
# holds only a virtualenv with this service's pins (deploy/docker/requirements-review.lock).

FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock deploy/docker/requirements-review.lock ./
RUN grep -E '^(setuptools|wheel)==' requirements.lock > build-tools.lock \
 && python -m pip install --no-deps -r build-tools.lock \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps -r requirements-review.lock
COPY shared ./shared
COPY services/review ./services/review
RUN python -m pip wheel --no-deps --no-build-isolation -w /wheels ./shared ./services/review \
 && /opt/venv/bin/pip install --no-deps /wheels/*.whl \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM python:3.11.14-slim-bookworm
# The open CJK font the PDF prints embed (DOCUMENT_FONT defaults to its Noto Serif CJK).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk=1:20220127+repack1-1 \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric uid, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 wenping \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin wenping \
 && mkdir -p /var/lib/wenping \
 && chown 10001:10001 /var/lib/wenping
COPY --from=build /opt/venv /opt/venv
# The root filesystem may be mounted read-only: no bytecode is written at run time, data lives
# only in the volume below, and /tmp (metrics of several workers) is a tmpfs/emptyDir.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WENPING_REVIEW_HOST=0.0.0.0 \
    WENPING_REVIEW_PORT=8002 \
    WENPING_REVIEW_DATA_DIR=/var/lib/wenping \
    WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/wenping-metrics
VOLUME ["/var/lib/wenping"]
USER 10001:10001
WORKDIR /var/lib/wenping
EXPOSE 8002
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8002/healthz', timeout=2)"]
# Several workers (WEB_CONCURRENCY); `migrate` is the same image's one-shot job.
CMD ["python", "-m", "wenping_review", "serve"]
