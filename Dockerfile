# FOCUS Lab: one image for web (gunicorn), the Celery worker and beat. See docker-compose.yml.
FROM python:3.11-slim

# Settings find templates/ and static/ beside the code (BASE_DIR), so the code runs from /app
# (PYTHONPATH) rather than from the copy `pip install .` puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=focus_lab.settings.prod

# WeasyPrint's libraries (harfbuzz-subset halves PDF render time) and a font for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app

# Only what the app needs (not .venv/, .data/ or media/ from a developer's checkout); the
# packages match [tool.setuptools.packages.find] in pyproject.toml.
COPY pyproject.toml manage.py ./
COPY focus_lab ./focus_lab
COPY accounts ./accounts
COPY districts ./districts
COPY partners ./partners
COPY agreements ./agreements
COPY usda_foods ./usda_foods
COPY purchasing ./purchasing
COPY templates ./templates
COPY static ./static

RUN pip install . \
    && mkdir -p /app/staticfiles /app/media \
    && chown app:app /app/staticfiles /app/media

USER app
EXPOSE 8000

# docker-compose.yml runs migrate and collectstatic before this; worker and beat override it.
# Forwarded headers are trusted from gunicorn's default (loopback) only; compose names its proxy.
CMD ["gunicorn", "focus_lab.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
