"""Keeping the data safe: ``flask --app wsgi backup`` and ``flask --app wsgi restore``.

A backup is one ZIP archive: a manifest (format, Alembic revision, time, row counts, the
SHA-256 of every member), every table of the metadata as JSON lines in dependency order, and
every binary value (evidence, meeting attachments, frozen report PDFs, which the application
keeps in the database) as a file of its own. It is written from one read transaction and is
portable between SQLite and PostgreSQL.
"""
