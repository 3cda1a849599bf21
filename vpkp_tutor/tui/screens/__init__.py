"""Screens of the study app, one per file; imported lazily by the app's actions."""
