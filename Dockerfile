# The Alur image: the API by default (`alur api`); the worker and the one-shots override the command.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    # The code finds templates/ and var/ beside its packages, so it runs from /app (first on the path)
    # rather than from site-packages; `pip install .` brings the dependencies and the `alur` command.
    PYTHONPATH=/app \
    ALUR_VAR_DIR=/data \
    ALUR_UPLOAD_DIR=/data/uploads

WORKDIR /app
COPY pyproject.toml worker.py ./
COPY core core
COPY workflows workflows
COPY activities activities
COPY api api
COPY templates templates
RUN pip install . \
    && useradd --create-home --uid 1000 alur \
    && mkdir -p /data/uploads \
    && chown -R alur /data

USER alur
EXPOSE 8000
CMD ["alur", "api", "--host", "0.0.0.0"]
