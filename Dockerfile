# The Alur image: the API by default (`alur api`); the worker and the one-shots override the command.

# Stage 1: the wheel. It carries everything the code reads at run time, templates/ included
# (pyproject.toml's package-data), so nothing below needs the source tree or PYTHONPATH.
FROM python:3.11-slim AS wheel

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml worker.py ./
COPY core core
COPY workflows workflows
COPY activities activities
COPY api api
COPY templates templates
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: a plain (non-editable) install of that wheel into site-packages: its dependencies and the `alur` command.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    # What the code would otherwise put beside its packages (var/) goes to the /data volume instead;
    # docker-compose.yml points ALUR_DATABASE_URL at PostgreSQL.
    # A production image: the development secret and demo accounts are refused; set ALUR_SECRET_KEY.
    ALUR_ENV=production \
    ALUR_DATABASE_URL=sqlite:////data/alur.db \
    ALUR_VAR_DIR=/data \
    ALUR_UPLOAD_DIR=/data/uploads

# WeasyPrint (generated PDF letters) renders through pango; the letters' fonts are Liberation and DejaVu.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY --from=wheel /wheels /tmp/wheels
RUN pip install /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && useradd --create-home --uid 1000 alur \
    && mkdir -p /data/uploads \
    && chown -R alur /data

WORKDIR /data
USER alur
EXPOSE 8000
CMD ["alur", "api", "--host", "0.0.0.0"]
