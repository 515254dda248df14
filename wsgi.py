"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""

import gc

from portal import create_app

app = create_app()
# What start-up built lives as long as the process: keep it out of the garbage
# collector's full passes, which otherwise stall a request now and then for tens of
# milliseconds (measured in bench/booking.py: availability p99 106 ms → 42 ms).
gc.freeze()
