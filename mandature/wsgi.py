"""WSGI entry point (gunicorn mandature.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
application = get_wsgi_application()
