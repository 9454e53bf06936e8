"""The Falco collector: gRPC and HTTP intake, rules file, pipeline, backfill, metrics."""
