"""Widgets of the reception desk only (来访事件; the contact register adds its own); shared helpers stay in ``ui/``."""
