"""Where things are in the data-entry template: sheet names, columns, the marker that identifies it.

Writer and reader share this module, so the two cannot drift apart. Every data sheet keeps a hidden
column A with the machine key of the row (figure key, criterion, item id); labels may be edited or
rows moved without breaking the reading.
"""

from __future__ import annotations

MARKER = "jixiao 预算绩效自评填报模板"
TEMPLATE_VERSION = "1"

SHEET_README = "说明"
SHEET_UNIT = "单位信息"
SHEET_FIGURES = "财务数据"
SHEET_MANAGEMENT = "管理情况"
SHEET_INDICATORS = "项目指标"
SHEET_SCORES = "自评分"
SHEET_ADJUSTMENTS = "加减分"
DATA_SHEETS = (SHEET_UNIT, SHEET_FIGURES, SHEET_MANAGEMENT, SHEET_INDICATORS, SHEET_SCORES, SHEET_ADJUSTMENTS)

HEADER_ROW = 2  # row 1: sheet title and hint; row 2: column headers; data from row 3
FIRST_ROW = 3

# 单位信息: A key | B 项目 | C 填写内容 | D 说明
UNIT_VALUE_COL = 3
UNIT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("unit.name", "单位名称", "必填"),
    ("year", "评价年度", "必填，四位年份，如 2023"),
    ("kind", "评价类型", "部门整体 或 项目支出"),
    ("framework", "评价体系", "评分所用指标体系的编号，已按模板预填"),
    ("unit.region", "所属地区", "如 广州市花都区"),
    ("unit.level", "预算级次", "如 区级"),
    ("unit.code", "单位编码", "选填"),
    ("stated.total", "原自评总分", "选填：单位已自评的总分"),
    ("stated.grade", "原自评等级", "选填：优/良/中/差"),
)
TEXT_PREFIX = "texts."

# 财务数据: A key | B 分组 | C 项目 | D 数值 | E 单位 | F 备注（来源、口径）
FIG_VALUE_COL, FIG_UNIT_COL, FIG_NOTE_COL = 4, 5, 6
AMOUNT_UNIT_CHOICES = ("元", "万元", "亿元")
DEFAULT_AMOUNT_UNIT = "万元"

# 管理情况: A key | B 指标 | C 评价要点 | D 分值 | E 回答 | F 说明
MGMT_ANSWER_COL = 5
ANSWER_CHOICES = ("是", "否", "部分")

# 项目指标 columns (no hidden key: one row per indicator)
IND_COLUMNS: tuple[tuple[str, str, float], ...] = (  # field, header, width
    ("project", "项目名称", 22),
    ("description", "项目说明", 22),
    ("budget", "项目预算数（万元）", 12),
    ("executed", "项目执行数（万元）", 12),
    ("project_weight", "项目分值", 8),
    ("level1", "一级指标", 11),
    ("level2", "二级指标", 11),
    ("name", "绩效指标（三级）", 24),
    ("weight", "分值", 7),
    ("target", "年度指标值", 13),
    ("actual", "实际完成值", 13),
    ("unit", "计量单位", 8),
    ("direction", "指标方向", 9),
    ("achievement", "定性完成情况", 11),
    ("achievement_ratio", "定性得分比例", 10),
    ("stated_score", "原自评分", 8),
    ("deviation_reason", "偏差原因", 20),
    ("evidence", "佐证材料", 20),
)
IND_COL = {field: index + 1 for index, (field, _h, _w) in enumerate(IND_COLUMNS)}
PROJECT_AMOUNT_UNIT = "万元"
LEVEL1_CHOICES = ("产出指标", "效益指标", "满意度指标", "成本指标")
# 指标方向 as shown in the sheet ↔ Indicator.direction
DIRECTION_CHOICES = {"正向": "positive", "反向": "reverse", "定性": "qualitative"}
ACHIEVEMENT_CHOICES = ("达成", "部分达成", "未达成")
INDICATOR_ROWS = 200  # rows prepared with validation
PRINTED_BLANK_ROWS = 10  # of those, printed on an empty template (room to write by hand)

# 自评分: A key (item id) | B 指标 | C 分值 | D 原自评分 | E 人工评分 | F 评分理由
SCORE_STATED_COL, SCORE_MANUAL_COL, SCORE_REASON_COL = 4, 5, 6

# 加减分: A 类型 | B 分值 | C 事由 | D 对应指标编号 | E 佐证材料
ADJ_COLUMNS = (("kind", "类型（加分/减分）", 14), ("points", "分值", 8), ("reason", "事由", 40),
               ("item", "对应指标编号（可空）", 16), ("evidence", "佐证材料", 30))
ADJ_COL = {field: index + 1 for index, (field, _h, _w) in enumerate(ADJ_COLUMNS)}
ADJUSTMENT_ROWS = 30
