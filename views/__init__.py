"""Page scripts, one package per process; each package's ``__init__`` declares its ``PAGES``.

Named ``views/`` and not ``pages/``: a ``pages/`` folder next to app.py switches Streamlit to its legacy
router, where a deep link runs the page file directly and skips the login gate (stack-notes §3.2).
"""
