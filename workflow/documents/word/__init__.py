"""The documents as editable Word files (.docx), built with python-docx from the same plain
data as the PDFs: page.py is the GB/T 9704 page every document shares (A4, margins, the named
official fonts, page numbers), and each other module builds one kind of document."""
