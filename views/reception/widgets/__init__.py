"""Streamlit pieces only the reception pages use."""
