"""Data layer: engine, sessions, models, services and migrations (design.md §1, §6)."""
