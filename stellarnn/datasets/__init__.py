"""Data in and out: column schemas, table readers and writers, fetchers and built-in generators."""
