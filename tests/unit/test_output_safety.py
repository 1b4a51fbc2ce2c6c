"""What leaves the app is safe: no raw HTML, no spreadsheet formulas from user data, no tracebacks, XSRF on.

- no code outside tests passes ``unsafe_allow_html=True`` (or renders raw HTML/JS with ``st.html`` or
  ``components.html``): user text is always rendered as text; the one exception is ``ui/theme.py``'s single
  constant ``<style>`` block;
- every Excel export goes through ``ui.tables.to_excel``, which neutralises cells a spreadsheet would run
  as a formula (OWASP CSV injection: ``= + - @`` and tab/CR); checked in the produced xlsx with openpyxl;
- ``.streamlit/config.toml`` hides error details from the browser and keeps XSRF protection on.
"""

from __future__ import annotations

import ast
import io
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.export import FORMULA_PREFIXES, neutralise_cell

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"tests", "data", "node_modules", "__pycache__", "site-packages"}


def product_sources() -> list[Path]:
    """Every .py file of the product (not tests, not virtualenvs or other hidden folders)."""
    found = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith("venv") for p in parts[:-1]):
            continue
        found.append(path)
    return sorted(found)


def test_the_scan_sees_the_product():
    names = {str(p.relative_to(ROOT)) for p in product_sources()}
    assert {"app.py", "ui/tables.py", "db/session.py", "core/export.py"} <= names
    assert not any(n.startswith("tests/") for n in names)


def _calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


THEME = "ui/theme.py"  # the one exception: one constant <style> block over Streamlit's own texts (issue 10 §2)


def _constant_css(path: Path, call: ast.Call) -> bool:
    """``st.html(NAME)`` where NAME is a module-level string literal that is only a <style> block."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Name):
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [call.args[0].id]:
            value = node.value
            return (isinstance(value, ast.Constant) and isinstance(value.value, str)
                    and value.value.strip().startswith("<style>") and value.value.strip().endswith("</style>")
                    and value.value.count("<") == 2)
    return False


def test_no_unsafe_html_anywhere_in_the_product():
    offenders = []
    for path in product_sources():
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if "unsafe_allow_html=True" in source.replace(" ", ""):
            offenders.append(f"{rel}: unsafe_allow_html=True")
        for call in _calls(path):
            for kw in call.keywords:
                if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    offenders.append(f"{rel}:{call.lineno}: unsafe_allow_html={ast.unparse(kw.value)}")
            name = _name(call.func)
            if name in ("st.html", "components.html", "st.components.v1.html", "components.v1.html"):
                if str(rel) == THEME and name == "st.html" and _constant_css(path, call):
                    continue
                offenders.append(f"{rel}:{call.lineno}: {name}(...) renders raw HTML")
    assert not offenders, "\n".join(offenders)


def test_every_excel_export_goes_through_ui_tables_to_excel():
    offenders = []
    for path in product_sources():
        rel = str(path.relative_to(ROOT))
        if rel == "ui/tables.py":
            continue
        for call in _calls(path):
            name = _name(call.func)
            if name.endswith((".to_excel", ".to_csv", "ExcelWriter", "Workbook")) and not name.startswith("tables."):
                offenders.append(f"{rel}:{call.lineno}: {name}")
    assert not offenders, "exports must use ui.tables.to_excel (formula neutralisation):\n" + "\n".join(offenders)


DANGEROUS = ["=1+1", "+8613800000000", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://evil.example","点我")',
             "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
HARMLESS = ["张三", "3301**********1234", "东方苑 1幢 1单元 101", "a=b", "", "备注：-5℃"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_cell_defuses_formulas(value):
    assert value.startswith(FORMULA_PREFIXES)
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS + [0, -5, 3.5, None, True])
def test_neutralise_cell_leaves_other_values_alone(value):
    assert neutralise_cell(value) == value


def test_the_xlsx_holds_text_not_formulas():
    from ui.tables import to_excel

    df = pd.DataFrame({"姓名": DANGEROUS + HARMLESS[:2], "数量": list(range(-5, len(DANGEROUS) - 3))})
    data = to_excel(df, sheet="客户列表")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["客户列表"]
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(df)
    for (name_cell, count_cell), original, number in zip(cells, df["姓名"], df["数量"], strict=True):
        assert name_cell.data_type == "s", f"{original!r} was written as {name_cell.data_type}"
        expected = "'" + original if original.startswith(FORMULA_PREFIXES) else original
        assert name_cell.value == expected.replace("\r", "\n")  # XML stores CR as LF
        assert count_cell.value == number and count_cell.data_type == "n"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [c.value for c in sheet[1]] == ["姓名", "数量"]


def test_without_neutralising_openpyxl_would_write_a_formula():
    """The check above can fail: the same frame written raw contains a live formula."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"x": ["=1+1"]}).to_excel(writer, index=False)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet["A2"].data_type == "f"


def test_streamlit_config_hides_errors_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True
    assert 1 <= config["server"]["maxUploadSize"] <= 50  # MB; attachments are capped lower by the policy book
    assert config["browser"]["gatherUsageStats"] is False
    assert config["runner"]["magicEnabled"] is False  # a stray expression never prints data to the page
    assert config["server"].get("enableAgentApi", False) is False  # no non-browser driver of the app
    assert config["server"].get("enableStaticServing", False) is False


def test_an_uploader_label_names_the_types_and_the_cap_from_the_policy_book():
    from ui.theme import upload_label

    assert upload_label("附件", ["jpg", "jpeg", "png", "pdf"], 5120 * 1024) == "附件（JPG、PNG、PDF，每个不超过 5 MB）"
    assert upload_label("附件", ["pdf"], 500 * 1024) == "附件（PDF，每个不超过 500 KB）"
