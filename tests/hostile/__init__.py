"""Hostile-environment tier."""
