"""Domain services: they own the rules and the transaction. Views and API handlers only parse, call, render."""
