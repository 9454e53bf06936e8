"""The pure core: no I/O, no boto3, grpc, httpx, github, click or jinja2 (a test enforces it)."""
