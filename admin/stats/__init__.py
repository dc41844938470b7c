"""Satisfaction statistics (群众评议): rollups kept current at intake, periods in the hall's
time zone, Wilson intervals for small samples, and the queries the console, API and screens use."""
