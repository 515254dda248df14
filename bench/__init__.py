"""Benchmarks: the declaration API under gunicorn on SQLite, against a raw-insert baseline.

``instance`` builds and serves a throw-away portal (also used by the crash test),
``baseline`` is the yardstick, ``declarations`` drives both and prints the comparison.
"""
