"""Adapters around the pure core: files, S3, Falco, GitHub, notifiers. Built when asked, never at import."""
