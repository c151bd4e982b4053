#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.local")
    if not os.environ.get("DATABASE_URL") and os.environ["DJANGO_SETTINGS_MODULE"].endswith(
        ".local"
    ):
        # A bare `python manage.py …` on a developer's machine uses the database `make run`
        # uses (the embedded PostgreSQL under .data/), rather than stopping for want of one.
        from earlyhelp.devtools import database_for_run

        os.environ["DATABASE_URL"] = database_for_run()[0]
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
