"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""
import gc

from workflow import create_app

app = create_app()

# The objects of start-up (modules, mappers, compiled templates' code) live as long as the
# process: move them out of the collector's reach, so that its full collections, which
# otherwise walk all of them every few dozen requests, stay short (p95 of every page).
gc.freeze()
