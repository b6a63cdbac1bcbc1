"""Who is involved, as prose: a title that already says the role is not followed by the role again."""

from __future__ import annotations

from pathlib import Path

from mapgen.plan import Person


def test_role_note_drops_a_role_the_title_says() -> None:
    assert Person("Sarah Kim", "seller", "account_executive", "Account  Executive").role_note == ""
    assert Person("John Rivera", "buyer", "champion", "VP Operations").role_note == "Champion"
    assert Person("Ana", "buyer", "end_users", None).role_note == "End users"
    assert Person("Bo", "buyer", None, "CFO").role_note == ""



def test_markdown_html_and_document_name_each_role_once(acme_outputs: Path) -> None:
    """In the acme example Sarah Kim's title is Account Executive and her role account_executive."""
    import docx

    md = (acme_outputs / "acme-enterprise.md").read_text(encoding="utf-8")
    assert "- Sarah Kim, Account Executive\n" in md and "- John Rivera, VP Operations — Champion\n" in md
    page = (acme_outputs / "acme-enterprise.html").read_text(encoding="utf-8")
    assert "<li>Sarah Kim, Account Executive</li>" in page and "<li>John Rivera, VP Operations — Champion</li>" in page
    document = docx.Document(str(acme_outputs / "acme-enterprise.docx"))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "Sarah Kim, Account Executive" in cells and "John Rivera, VP Operations, Champion" in cells
    assert not any("Account Executive, Account executive" in text for text in cells)

