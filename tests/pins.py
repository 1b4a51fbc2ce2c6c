"""Version pins of the adapters over library internals, checked against requirements.txt and the installed ones."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
APP_CODE = ("*.py", "core/**/*.py", "db/**/*.py", "ui/**/*.py", "views/**/*.py", "scripts/**/*.py")


def requirement_pin(package: str) -> str:
    text = REQUIREMENTS.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.MULTILINE | re.IGNORECASE)
    assert match, f"{package} is not pinned with == in requirements.txt"
    return match.group(1)


def assert_pins_hold(pins: Mapping[str, str], version_problems: Callable[..., list[str]]) -> None:
    """requirements.txt and the installed packages are the versions the adapter was written for, and a
    different installed version is reported."""
    for package, pin in pins.items():
        assert requirement_pin(package) == pin, (
            f"requirements.txt pins {package} {requirement_pin(package)}, the adapter was written for {pin}: "
            "re-check the adapter and its contract test, then move its pin")
    assert version_problems() == [], "installed versions differ from the adapter's pins"
    for package, pin in pins.items():
        moved = version_problems({**pins, package: pin + ".post1"})
        assert len(moved) == 1 and package in moved[0] and pin in moved[0], moved


def importers(module_pattern: str, *, adapter: str) -> list[str]:
    """App modules other than ``adapter`` that import a module matching ``module_pattern`` (a regex)."""
    found = []
    for pattern in APP_CODE:
        for path in ROOT.glob(pattern):
            name = str(path.relative_to(ROOT))
            text = path.read_text(encoding="utf-8")
            if name != adapter and re.search(rf"^\s*(import|from)\s+({module_pattern})\b", text, re.MULTILINE):
                found.append(name)
    return found
