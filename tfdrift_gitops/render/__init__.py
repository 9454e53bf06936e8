"""Turning drifts into text for people (terminal) and JSON for machines."""
