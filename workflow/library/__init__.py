"""The indicator library by kind of project (指标库): the office's pages to keep it, a project
started from its category's indicators, and the library growing from approved evaluations."""
from flask import Blueprint

bp = Blueprint("library", __name__)

from workflow.library import carry, growth, routes  # noqa: E402,F401
