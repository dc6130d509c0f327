"""The editable Word copy of a document (.docx), made with python-docx from the very HTML
the PDF is made from, so the two say the same: the title, headings, paragraphs and
tables in order, on the same page setup. Offices edit it in WPS or Word before it goes
out.

For a 公文 (reports/gongwen.html) the page is set as GB/T 9704 says (A4, top 37 mm,
left 28 mm, type area 156 × 225 mm) with the red 版头, 3号 text on a 28.95 pt line pitch
and "— 1 —" page numbers; the other documents keep the report page. Headings use Word's
built-in styles (标题 1–4), so Word's navigation pane and outline see them. Fonts are
named by role (reports.fonts.word_font): the office's licensed font where it has one.
Charts (SVG) are left out: Word cannot take them as they are; their figures are in the
text and tables around them.
"""

import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import html as lxml_html

from . import columns
from .fonts import word_font

RED = RGBColor(0xC0, 0x00, 0x00)
HEADINGS = {"h2": 1, "h3": 2, "h4": 3, "h5": 4}
SKIP = {"nav", "svg", "style", "script", "head", "title", "meta", "link"}


def _set_font(target, role: str, size: float | None = None, bold: bool | None = None):
    """``target`` (a run or a style) in ``role``'s font: East Asian text included."""
    name = word_font(role)
    font = target.font
    font.name = name
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _page_number_footer(section, official: bool) -> None:
    """Page numbers: "— 1 —" (公文) or "第 1 页" in the footer, from Word's PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if official else WD_ALIGN_PARAGRAPH.CENTER
    before, after = ("— ", " —") if official else ("第 ", " 页")
    _set_font(paragraph.add_run(before), "songti", 14 if official else 9)
    run = paragraph.add_run()
    _set_font(run, "songti", 14 if official else 9)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _set_font(paragraph.add_run(after), "songti", 14 if official else 9)


# The order of a paragraph's properties in the schema (ECMA-376 CT_PPrBase), as far as
# these documents use them.
PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def _add_ppr(paragraph, element) -> None:
    """Add ``element`` to the paragraph's properties in the place the schema gives it
    (Word refuses a file whose properties are out of order)."""
    ppr = paragraph._p.get_or_add_pPr()
    tag = element.tag.split("}")[-1]
    after = PPR_ORDER[PPR_ORDER.index(tag) + 1 :]
    ppr.insert_element_before(element, *(f"w:{name}" for name in after))


def _bottom_border(paragraph, color: str = "C00000", size: int = 12) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    _add_ppr(paragraph, borders)


def _borders(paragraph, edges: dict) -> None:
    """Black rules on the paragraph's ``edges`` (side → width in eighths of a point)."""
    borders = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        if side in edges:
            rule = OxmlElement(f"w:{side}")
            for key, value in (("val", "single"), ("sz", str(edges[side])), ("space", "1")):
                rule.set(qn(f"w:{key}"), value)
            rule.set(qn("w:color"), "000000")
            borders.append(rule)
    _add_ppr(paragraph, borders)


def _bottom_frame():
    """A frame the width of the type area on its bottom edge: paragraphs with the same
    frame properties are one frame, which Word places at the foot of its page."""
    frame = OxmlElement("w:framePr")
    for key, value in (
        ("w", str(round(Mm(156).twips))),
        ("wrap", "around"),
        ("hAnchor", "margin"),
        ("vAnchor", "margin"),
        ("xAlign", "center"),
        ("yAlign", "bottom"),
    ):
        frame.set(qn(f"w:{key}"), value)
    return frame


class _Writer:
    def __init__(self, official: bool, landscape: bool):
        self.official = official
        self.doc = WordDocument()
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        if official:
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
            section.footer_distance = Mm(28)
        else:
            section.top_margin, section.bottom_margin = Mm(24), Mm(22)
            section.left_margin, section.right_margin = Mm(22), Mm(20)
        _page_number_footer(section, official)
        normal = self.doc.styles["Normal"]
        _set_font(normal, "fangsong" if official else "songti", 16 if official else 10.5)
        fmt = normal.paragraph_format
        if official:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(28.95)  # 22 lines in the 225 mm type area
        fmt.space_before = fmt.space_after = Pt(0)
        heading_roles = {1: "heiti", 2: "kaiti", 3: "fangsong", 4: "fangsong"}
        for level, role in heading_roles.items():
            style = self.doc.styles[f"Heading {level}"]
            size = 16 if official else {1: 14, 2: 12, 3: 10.5, 4: 10.5}[level]
            _set_font(style, role, size, bold=level == 3 or not official)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.italic = False
            style.paragraph_format.space_before = Pt(0 if official else 8)
            style.paragraph_format.space_after = Pt(0 if official else 4)
            if official:
                style.paragraph_format.first_line_indent = Pt(32)
                style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                style.paragraph_format.line_spacing = Pt(28.95)
        title = self.doc.styles["Title"]
        _set_font(title, "xiaobiaosong", 22 if official else 18, bold=True)
        title.font.color.rgb = RGBColor(0, 0, 0)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(28.95 if official else 6)
        self._remove_title_border(title)

    @staticmethod
    def _remove_title_border(style) -> None:
        ppr = style.element.find(qn("w:pPr"))
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)

    # --- elements -----------------------------------------------------------------

    def write(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = set((element.get("class") or "").split())
        if tag in SKIP or "toc" in classes:
            return
        if tag == "header":
            self.header(element, classes)
        elif tag == "h1":
            self.doc.add_paragraph(self.text(element), style="Title")
        elif tag in HEADINGS:
            self.doc.add_paragraph(self.text(element), style=f"Heading {HEADINGS[tag]}")
        elif tag == "p":
            self.paragraph(element, classes)
        elif tag == "table":
            self.table(element)
        elif tag == "li":
            self.doc.add_paragraph(self.text(element), style="List Bullet")
        elif tag in ("div", "section", "body", "ul", "ol", "main", "article", "footer"):
            if tag == "section" and "attachment" in classes:
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            if "record" in classes:
                self.record(element)
                return
            for child in element:
                self.write(child)
        elif self.text(element):
            self.doc.add_paragraph(self.text(element))

    def header(self, element, classes) -> None:
        for child in element:
            child_classes = set((child.get("class") or "").split())
            text = self.text(child)
            if child.tag == "h1":
                self.doc.add_paragraph(text, style="Title")
                continue
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if "signed" in child_classes:  # 上行文: 发文字号 left, 签发人 right
                self.signed_reference(paragraph, child)
                continue
            run = paragraph.add_run(text)
            if child_classes & {"issuer", "office-name"}:
                _set_font(run, "xiaobiaosong", 30 if self.official else 20, bold=True)
                run.font.color.rgb = RED
                if "office-name" in child_classes:
                    _bottom_border(paragraph)
            elif "reference" in child_classes:
                _bottom_border(paragraph)  # the red rule under the 发文字号
            elif "draft-mark" in child_classes:
                run.font.color.rgb = RED
        if "banner" in classes:
            self.doc.add_paragraph()

    def signed_reference(self, paragraph, element) -> None:
        """The 发文字号 one character in from the left and "签发人：name" one in from
        the right (a right tab stop), the name in 楷体; the red rule under them."""
        number = element.find_class("number")
        name = element.find_class("name")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(16)
        fmt.tab_stops.add_tab_stop(Emu(Mm(156) - Pt(16)), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run((self.text(number[0]) if number else "") + "\t签发人：")
        if name:
            _set_font(paragraph.add_run(self.text(name[0])), "kaiti")
        _bottom_border(paragraph)

    def paragraph(self, element, classes) -> None:
        paragraph = self.doc.add_paragraph()
        fmt = paragraph.paragraph_format
        if classes & {"signer", "date"} or element.getparent().get("class") == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = Pt(32 if "date" in classes else 64)
        elif self.official and not classes & {"recipient", "label", "cc", "printed"}:
            fmt.first_line_indent = Pt(32)
        elif not self.official and (
            classes & {"indent"} or "indent" in self._parent_classes(element)
        ):
            fmt.first_line_indent = Pt(21)
        if classes & {"cc", "printed"}:
            for run_text in [t for t in (self.text(c) for c in element) if t] or [
                self.text(element)
            ]:
                _set_font(paragraph.add_run(run_text + "    "), "fangsong", 14)
            return
        self.inline(paragraph, element)

    def record(self, element) -> None:
        """版记: 抄送 and 印发机关/印发日期 in 4号 between rules (0.35 mm outside, 0.25 mm
        between). In a 公文 the rows are one frame anchored to the bottom of the type
        area, so the 版记 sits at the foot of the page it ends on, as in the PDF (Word
        and WPS keep text out of a frame's area); elsewhere they follow the text."""
        rows = [p for p in element.iter("p")]
        for number, row in enumerate(rows):
            paragraph = self.doc.add_paragraph()
            fmt = paragraph.paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(14)
            fmt.tab_stops.add_tab_stop(Emu(Mm(156) - Pt(28)), WD_TAB_ALIGNMENT.RIGHT)
            parts = [t for t in (self.text(c) for c in row) if t] or [self.text(row)]
            for index, part in enumerate(parts):
                _set_font(paragraph.add_run(("\t" if index else "") + part), "fangsong", 14)
            if self.official:
                _add_ppr(paragraph, _bottom_frame())
            edges = {"bottom": 8 if number == len(rows) - 1 else 6}
            if number == 0:
                edges["top"] = 8
            _borders(paragraph, edges)

    @staticmethod
    def _parent_classes(element) -> set:
        parent = element.getparent()
        return set((parent.get("class") or "").split()) if parent is not None else set()

    def inline(self, paragraph, element, bold: bool = False) -> None:
        if element.text:
            paragraph.add_run(element.text).bold = bold or None
        for child in element:
            if child.tag == "br":
                paragraph.add_run().add_break()
            elif child.tag not in SKIP:
                self.inline(paragraph, child, bold or child.tag in ("b", "strong"))
            if child.tail:
                paragraph.add_run(child.tail).bold = bold or None

    def table(self, element) -> None:
        rows = element.xpath("./thead/tr|./tbody/tr|./tr")
        if not rows:
            return
        # A header cell of class "columns" heads several columns set out in one cell
        # (reports.columns, the roster's): Word gets them as columns of their own.
        set_out = {
            i for i, cell in enumerate(rows[0].xpath("./th|./td")) if "columns" in cell.classes
        }
        cells_of = [self._row_cells(row, set_out) for row in rows]
        table = self.doc.add_table(rows=0, cols=max(len(cells) for cells in cells_of))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for sources in cells_of:
            cells = table.add_row().cells
            for cell, (source, header) in zip(cells, sources, strict=False):
                cell.text = ""
                paragraph = cell.paragraphs[0]
                if isinstance(source, str):
                    paragraph.add_run(source).bold = header or None
                else:
                    self.inline(paragraph, source, bold=header)
                for run in paragraph.runs:
                    run.font.size = Pt(12 if self.official else 9)
        self.doc.add_paragraph()

    @staticmethod
    def _row_cells(row, set_out: set) -> list[tuple]:
        """A row's cells as (element or text, is a header cell), those set out as
        columns split into their columns' texts."""
        cells = []
        for i, source in enumerate(row.xpath("./th|./td")):
            header = source.tag == "th"
            if i in set_out:
                cells += [(value, header) for value in columns.split(source.text_content())]
            else:
                cells.append((source, header))
        return cells

    @staticmethod
    def text(element) -> str:
        return " ".join(element.text_content().split())


def html_to_docx(html: str, *, official: bool, landscape: bool = False) -> bytes:
    """A document's HTML (reports/*.html) as a Word file."""
    tree = lxml_html.document_fromstring(html)
    writer = _Writer(official, landscape)
    body = tree.find("body")
    for child in body if body is not None else tree:
        writer.write(child)
    output = io.BytesIO()
    writer.doc.save(output)
    return output.getvalue()
