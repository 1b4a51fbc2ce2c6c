"""Streamlit pieces only the pass pages use."""
