"""Streamlit pieces only the reception pages use (the contact register, the daily view, office-visitor incidents)."""
