"""Streamlit-only helpers shared by every view: the signed-in actor, tables, forms, downloads, formats."""
