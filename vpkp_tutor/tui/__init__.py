"""The study app: a Textual TUI for lessons, quizzes, cases and progress.

Presentation only. Screens call `vpkp_tutor.services.Services`; widgets post messages to their
screens and never call services themselves.
"""
