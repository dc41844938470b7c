"""The roster template a hall downloads, fills in Excel or WPS and uploads again."""

from __future__ import annotations

import io

from ...xlsx import append_row

TEMPLATE_HEADERS = ("姓名", "工号", "岗位", "部门", "窗口号", "是否党员", "党内职务", "荣誉称号", "岗位职责", "在岗")
TEMPLATE_ROWS = (
    ("张伟", "A1001", "综合受理岗", "社保科", "1", "是", "党支部委员", "党员先锋岗、服务标兵", "社保参保登记、转移接续", "是"),
    ("李娜", "A1002", "咨询引导岗", "综合服务科", "2", "否", "", "岗位能手", "咨询引导、帮办代办", "否"),
)


def template_xlsx() -> bytes:
    """A roster template: the Chinese headers and two example rows, text-formatted number columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    append_row(sheet, TEMPLATE_HEADERS)
    for row in TEMPLATE_ROWS:
        append_row(sheet, row)
    widths = (10, 12, 16, 16, 10, 10, 14, 26, 32, 8)
    for index, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="C8161D")
        head.alignment = Alignment(horizontal="center")
    for column in ("B", "E"):   # employee and window numbers stay text: 0012 keeps its zeros
        for row in range(2, 1002):
            sheet[f"{column}{row}"].number_format = "@"
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    yes_no.add("F2:F1001")
    yes_no.add("J2:J1001")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
