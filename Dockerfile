# The Vitrina application image: storefront (gunicorn), Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VITRINA_DATA_DIR=/data

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin vitrina \
    && mkdir -p /data && chown vitrina:vitrina /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY vitrina ./vitrina
COPY search ./search
COPY indexer ./indexer
COPY merchandising ./merchandising
COPY storage ./storage
COPY web ./web
COPY locales ./locales
RUN pip install ".[postgres]"

USER vitrina
VOLUME ["/data"]
EXPOSE 8000
CMD ["vitrina", "serve", "--host", "0.0.0.0", "--port", "8000"]
