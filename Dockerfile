# The production image for web, worker and beat (see compose.yaml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The dependencies exactly as locked, each file checked against its hash (requirements.lock,
# from `make lock`); then the project itself without resolving anything again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY readiness ./readiness
RUN pip install --no-cache-dir --no-deps .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --no-input
RUN useradd --system readiness && mkdir -p /app/var && chown readiness /app/var
USER readiness
EXPOSE 8000
# Threads: an open dashboard holds one for its event stream (at most 55 s, docs/dashboards.md).
CMD ["gunicorn", "readiness.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "32"]
