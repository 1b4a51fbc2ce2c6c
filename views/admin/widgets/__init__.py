"""Streamlit pieces only the administration screens use."""
