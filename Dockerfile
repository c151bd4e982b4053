# Production image for the early help case management service.
#
# One image serves every role: web (gunicorn, the default CMD), the one-shot
# migrate job, the Celery worker and Celery beat (docker-compose.yml overrides
# the command for those).
#
# Network use at build time is limited to the base image and
# `pip install -r requirements.lock`: no apt-get, no Node (front-end assets are
# pre-built under static/vendor/), and no `# syntax=` directive (that would make
# BuildKit pull a frontend image).

FROM python:3.11-slim

# gunicorn reads its default worker count from WEB_CONCURRENCY; override it at
# run time (roughly 2 x CPU cores + 1 is the usual starting point).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# Unprivileged runtime user with a fixed UID/GID so volume ownership is
# predictable (a new named volume takes the ownership of the folder it is
# mounted on: beat's schedule, the nightly backups). The application code
# stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 earlyhelp \
    && useradd --system --uid 10001 --gid earlyhelp --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin earlyhelp \
    && install -d -o earlyhelp -g earlyhelp -m 0750 /var/lib/earlyhelp /var/backups/earlyhelp

WORKDIR /app

# Dependencies first so this layer is cached until the lock file changes.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# Collect static files at build time. Production settings refuse to start
# without a strong SECRET_KEY, and the base settings require DATABASE_URL, so
# build-only dummies are passed in the environment of this RUN line only: they
# are not baked into the image (no ENV or ARG), the key never signs anything,
# and collectstatic never connects to the database.
RUN SECRET_KEY=build-only-not-secret-collectstatic-7Qm2Vx9Lr4Tz8Kp3Wn6Hb1Jd5Fg0Cs \
    DATABASE_URL=postgresql://build-only:unused@localhost:5432/build-only \
    DJANGO_SETTINGS_MODULE=earlyhelp.settings.production \
    python manage.py collectstatic --noinput

ENV DJANGO_SETTINGS_MODULE=earlyhelp.settings.production

USER earlyhelp:earlyhelp

EXPOSE 8000

# python:3.11-slim has no curl, so probe /healthz with urllib. The Host header
# is the first ALLOWED_HOSTS entry (so Django's host validation accepts it) and
# X-Forwarded-Proto marks the request as HTTPS for setups where TLS ends at a
# proxy. urlopen raises on 503 or on a connection error, so the exit status is
# non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

# Worker count comes from WEB_CONCURRENCY (above). The heartbeat files go to
# /dev/shm so a slow overlay filesystem cannot make gunicorn kill workers.
CMD ["gunicorn", "earlyhelp.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--graceful-timeout", "30"]
