"""Reusable widgets of the study app: answer inputs, question views, feedback, bars."""
