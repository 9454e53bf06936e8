"""Adapters around the pure core: files, S3, Falco, GitHub, notifiers.

They are built when asked, never at import time.
"""
