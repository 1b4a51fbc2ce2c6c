"""Widgets of the complaint process only (detail, action forms, panels, 通报 and PDFs); shared helpers stay in ``ui/``."""
