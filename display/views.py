"""Placeholder views; the screen pages are built in display/pages."""
