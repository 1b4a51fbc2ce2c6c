"""The benchmark's floor: an empty Streamlit page (what a rerun costs before the app does anything)."""
