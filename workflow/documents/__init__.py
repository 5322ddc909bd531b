"""Official-style PDF documents (GB/T 9704-2012 layout) rendered with WeasyPrint."""
