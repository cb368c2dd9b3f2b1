"""WSGI apps the benchmarks serve under gunicorn."""
