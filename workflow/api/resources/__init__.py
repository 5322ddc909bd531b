"""One module per resource; each holds thin views that call the same services as the pages."""
