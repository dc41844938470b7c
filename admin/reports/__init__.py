"""Monthly, quarterly and annual reports: the same figures as an XLSX workbook and a printable page."""
