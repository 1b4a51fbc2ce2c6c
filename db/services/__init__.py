"""Services: one module per process; each business write is one transaction with its audit row."""
