"""WSGI entry point for gunicorn (see Dockerfile and docker-compose.yml)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.production")

application = get_wsgi_application()
