# make_minimal.py - writes people-minimal.xlsx with Python's zipfile, as another tool
# would (not our libxlsxwriter export): the first sheet in workbook order is
# worksheets/sheet2.xml (found through the relationships), shared strings with a rich-text
# run and a phonetic guide, inline strings, a phone stored as 1.3800138E+10, a row left out,
# a column skipped, a boolean, and a second sheet that must not be read.
# It also writes people-bad-row.xlsx: the same workbook whose sheet row 3 has a category
# that does not exist, for the import's refusal naming the row.
# Run: python3 tests/data/xlsx/make_minimal.py (from the repository root).
import zipfile

CT = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>'''
RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>'''
WB = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="人员" sheetId="2" r:id="rId7"/><sheet name="其他" sheetId="1" r:id="rId3"/></sheets>
</workbook>'''
WB_RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>'''
SST = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">
<si><t>姓名</t></si>
<si><t>类别</t></si>
<si><r><rPr><b/></rPr><t>电话</t></r></si>
<si><t>工作单位</t></si>
<si><r><t>表格</t></r><r><rPr><i/></rPr><t xml:space="preserve">甲 </t></r><rPh sb="0" eb="2"><t>biaoge</t></rPh></si>
<si><t>expert</t></si>
</sst>'''
SHEET2 = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>公开姓名</t></is></c></row>
<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2"><v>1.3800138E+10</v></c><c r="D2" t="inlineStr"><is><t>深圳大学
海洋学院</t></is></c><c r="E2" t="b"><v>1</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>表格乙</t></is></c><c r="B3" t="inlineStr"><is><t>member</t></is></c><c r="D3" t="str"><f>"市"&amp;"医院"</f><v>市医院</v></c></row>
<row r="5"><c r="A5" t="inlineStr"><is><t>表格丙</t></is></c><c r="B5" t="inlineStr"><is><t>citizen</t></is></c><c r="C5"><v>13900000002</v></c><c r="E5" t="b"><v>0</v></c></row>
</sheetData>
</worksheet>'''
SHEET1 = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>不应读到</t></is></c></row></sheetData>
</worksheet>'''

BAD = SHEET2.replace('<c r="B3" t="inlineStr"><is><t>member</t></is></c>', '<c r="B3" t="inlineStr"><is><t>国王</t></is></c>')
assert BAD != SHEET2


def write(path, sheet2):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in [('[Content_Types].xml', CT), ('_rels/.rels', RELS), ('xl/workbook.xml', WB),
                           ('xl/_rels/workbook.xml.rels', WB_RELS), ('xl/sharedStrings.xml', SST),
                           ('xl/worksheets/sheet1.xml', SHEET1), ('xl/worksheets/sheet2.xml', sheet2)]:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode('utf-8'))


write('tests/data/xlsx/people-minimal.xlsx', SHEET2)
write('tests/data/xlsx/people-bad-row.xlsx', BAD)
