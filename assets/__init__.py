"""Shared static files (CSS, vendored JS, fonts, default images), installed as package data."""
