"""Simplified Chinese by default, English on request: a small dictionary translation.

Templates and views write the English text as the message id, ``_("Triage")``;
:data:`ZH` gives its Chinese.  Reasons from intake's row validation are
:class:`planner.errors.Reason` texts (English, with their message id and
values): :func:`translate` and :func:`row_error` show them in the page's
language from the same table.  A message without a Chinese entry shows in
English (and ``tests/web/test_i18n.py`` fails, so none slips through).  Labels
that come from the rules file or the sheets' texts (customer types, scenarios,
VIP tiers, reasons) are translated by :func:`planner.sheets.load_texts`, not here.

Dates and times are shown in the rules' time zone (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from flask import Flask, current_app, session

from planner.errors import ROW_ERROR, InvalidFileError, Reason, RowError

LANGS = ("zh", "en")

ZH: dict[str, str] = {
    # navigation and common words
    "Complaint Visit Planner": "投诉客户拜访规划",
    "Sign in": "登录",
    "Sign out": "退出",
    "User name": "用户名",
    "Password": "密码",
    "Wrong user name or password": "用户名或密码错误",
    "Too many failed sign-ins: wait a few minutes and try again": "登录失败次数过多，请稍后再试",
    "Signed out": "已退出",
    "Language": "语言",
    "Dispatch": "调度",
    "Import": "导入",
    "Triage": "分拣",
    "Roster": "人员",
    "Plan": "路线计划",
    "My route": "我的路线",
    "Costs": "成本测算",
    "Users": "用户",
    "Audit log": "审计日志",
    "Home": "首页",
    "District": "区域",
    "Date": "日期",
    "Go": "前往",
    "Save": "保存",
    "Cancel": "取消",
    "Yes": "是",
    "No": "否",
    "none": "无",
    "Error": "错误",
    "Back": "返回",
    "Signed in as {name} ({role})": "当前用户：{name}（{role}）",
    "dispatcher": "调度员",
    "field": "拜访人员",
    "followup": "跟踪回访人员",
    "planner": "成本规划",
    "admin": "管理员",
    "Choose the district": "选择区域",
    "Show": "显示",
    # errors
    "Bad request": "请求无效",
    "Please sign in": "请先登录",
    "Forbidden": "无权访问",
    "Not found": "未找到",
    "Method not allowed": "不允许的请求方式",
    "The file is too large": "文件过大",
    "Too many attempts": "尝试次数过多",
    "Internal error": "内部错误",
    "The form has expired or was not sent by this site (CSRF check failed); reload the page and try again":
        "表单已过期或并非由本站提交（CSRF 校验失败），请刷新页面后重试",
    "The file is too large (at most {mb} MB)": "文件过大（不超过 {mb} MB）",
    # dispatcher home
    "The dispatcher's day": "调度员工作日",
    "Open the day": "打开这一天",
    "Recent planning jobs": "最近的路线计划任务",
    # import
    "Import a file": "导入文件",
    "Tickets, roster or network plan (CSV, XLSX or JSON, at most {mb} MB)":
        "投诉工单、人员名单或网络规划（CSV、XLSX 或 JSON，不超过 {mb} MB）",
    "File": "文件",
    "What the file holds": "文件内容",
    "detect from the headers": "根据表头自动识别",
    "tickets": "投诉工单",
    "staff": "人员名单",
    "sites": "网络规划",
    "history": "历史工单",
    "Past, already handled tickets (history)": "已处理的历史工单（仅用于识别重复投诉和集中投诉）",
    "Gazetteer for tickets without coordinates (optional)": "地址坐标表（工单缺少坐标时使用，可选）",
    "Check the file": "检查文件",
    "Preview": "预览",
    "Nothing has been saved yet.": "尚未保存任何数据。",
    "{n} rows read, {ok} valid, {bad} with problems": "共读取 {n} 行，{ok} 行有效，{bad} 行有问题",
    "Problems (fix them in the file and check it again; nothing is imported while any row is bad)":
        "问题列表（请在文件中修改后重新检查；只要有一行有问题，就不会导入任何数据）",
    "Line": "行",
    "Column": "列",
    "Reason": "原因",
    "Ignored columns": "未使用的列",
    "Encoding": "编码",
    "Import all rows": "导入全部数据",
    "Imported {what}: {added} added, {updated} updated, {unchanged} unchanged":
        "已导入{what}：新增 {added}，更新 {updated}，未变 {unchanged}",
    "Check another file": "检查另一个文件",
    "The upload has expired; check the file again": "上传已过期，请重新检查文件",
    "First rows": "前几行",
    "Importing will add {added}, update {updated}, leave {unchanged} unchanged":
        "导入将新增 {added}，更新 {updated}，未变 {unchanged}",
    "Updates that lose stored values (check them before importing)": "以下更新会丢失已保存的数据（导入前请核对）",
    "The stored data changed since the preview; nothing was imported: check the file again":
        "预览之后已保存的数据有变化，未导入任何数据：请重新检查文件",
    # import: ownership and losing updates (planner.intake.ownership, planner.store.changes)
    "district {district} is not yours to import (yours: {yours})": "不能导入{district}的数据（您的区域：{yours}）",
    "a file of yours is still being checked or imported: wait for it, then try again":
        "您的另一个文件仍在检查或导入中：请等它完成后再试",
    "the server is reading other files: try again in half a minute": "服务器正在读取其他文件：请半分钟后再试",
    "a network site without a district serves every district; only an administrator imports one":
        "未填区域的站点为各区域共用，只有管理员可以导入",
    "{field} lowered from {old} to {new}": "{field}从 {old} 降为 {new}",
    "{field} cleared (the file's cell is empty)": "{field}被清空（文件中该单元格为空）",
    "received time": "受理时间",
    "phone number": "电话号码",
    "district": "区域",
    "address": "地址",
    "customer name": "客户姓名",
    "complaint category": "投诉类别",
    "complaint text": "投诉内容",
    "appointment start": "预约开始",
    "appointment end": "预约结束",
    "escalation risk": "升级风险",
    "core customer": "核心客户",
    "name": "姓名",
    "base latitude": "基地纬度",
    "base name": "基地名称",
    "base longitude": "基地经度",
    "shift start": "上班时间",
    "shift end": "下班时间",
    "break start": "午休开始",
    "break end": "午休结束",
    "skills": "技能",
    "active": "在岗",
    "expected opening date": "预计开通日期",
    "more": "更多",
    # triage
    "Triage for {day}, {district}": "{day} {district} 客户分拣",
    "{n} visits, {m} phone follow-ups (rules {version})": "需拜访 {n} 户，电话回访 {m} 户（规则版本 {version}）",
    "Gifts this month: {n} / {budget} (today {today}, allowance for today {allowance})":
        "本月礼品 {n} / {budget}（今日 {today}，今日限额 {allowance}）",
    "Priority": "优先级",
    "Visit": "拜访",
    "Tickets": "工单",
    "Reasons": "拜访原因",
    "Customer type": "客户类型",
    "Scenario": "场景",
    "Window": "预约时间",
    "Rules fired": "触发的规则",
    "Overridden": "人工调整",
    "override": "人工调整",
    "any time": "全天可",
    "Change": "修改",
    "Type": "类型",
    "Select": "是否拜访",
    "visit": "拜访",
    "do not visit": "不拜访",
    "Appointment": "预约",
    "from": "从",
    "to": "至",
    "Set the window": "设置预约时间",
    "Clear": "清除",
    "Phone follow-ups": "电话回访",
    "Ticket": "工单号",
    "Why": "原因",
    "Visit instead": "改为上门拜访",
    "Override saved: {ticket} {field} = {value}": "已保存人工调整：{ticket} {field} = {value}",
    "Appointment saved: {ticket} {start}–{end}": "已保存预约：{ticket} {start}–{end}",
    "Appointment cleared: {ticket}": "已清除预约：{ticket}",
    "Carried over {n} day(s)": "已顺延 {n} 天",
    "Measures": "应对措施",
    "Gift": "小礼品",
    "Closable on site": "可现场闭环",
    # roster
    "Roster for {day}, {district}": "{day} {district} 当日人员",
    "Staff": "员工",
    "Name": "姓名",
    "Shift": "工作时间",
    "Lunch break": "午休",
    "Skills": "技能",
    "Transport": "交通方式",
    "Max visits": "每日最多拜访",
    "On duty": "在岗",
    "Absent": "缺勤",
    "Mark absent": "标记缺勤",
    "Back on duty": "恢复在岗",
    "reason (optional)": "原因（可选）",
    "No staff on the roster of {district}: import a roster first": "{district} 尚无人员名单，请先导入",
    "{staff} marked absent": "{staff} 已标记缺勤",
    "no staff member {staff} in {district}": "{district}没有员工 {staff}",
    "no district {district}": "没有区域 {district}",
    "{staff} back on duty": "{staff} 已恢复在岗",
    # plan
    "Plan for {day}, {district}": "{day} {district} 路线计划",
    "Plan the day": "生成路线计划",
    "Planning…": "正在规划…",
    "Planning the day: this takes a few seconds.": "正在规划当天路线，需要几秒钟。",
    "queued": "排队中",
    "running": "规划中",
    "done": "已完成",
    "failed": "失败",
    "Planning failed": "规划失败",
    "This day is already being planned (job {job}): wait for it to finish": "当天正在规划中（任务 {job}），请等待完成",
    "Open the plan": "打开计划",
    "No plan for this day yet.": "当天还没有路线计划。",
    "Version {v}": "第 {v} 版",
    "draft": "草稿",
    "published": "已发布",
    "Versions": "版本",
    "Publish this version": "发布此版本",
    "Published: field staff now see this version. It can no longer be changed; plan again to make a new version.":
        "已发布：拜访人员现在看到的是此版本。已发布的版本不可修改；如需调整，请重新规划生成新版本。",
    "This version is published and read-only.": "此版本已发布，只读。",
    "{assigned} of {visits} visits planned, {unassigned} unassigned":
        "共 {visits} 个拜访，已安排 {assigned} 个，未安排 {unassigned} 个",
    "travel {travel} min": "路程 {travel} 分钟",
    "Map": "地图",
    "The map is not available yet.": "地图暂不可用。",
    "Stop": "站",
    "Arrival": "到达",
    "Visit time": "拜访时间",
    "Address": "地址",
    "Travel": "路程",
    "Wait": "等候",
    "min": "分钟",
    "Worker": "拜访人员",
    "Pin / move": "固定／调整",
    "automatic": "自动",
    "Re-plan with these pins": "按固定安排重新规划",
    "pinned": "已固定",
    "Unassigned visits": "未安排的拜访",
    "Re-plan the rest of the day": "重新规划当天剩余行程",
    ("Stops already begun stay as they are; the rest is planned again from the time given, "
     "moving visits as little as possible. Makes a new version."):
        "已开始的站点保持不变；其余拜访从所填时间起重新规划，尽量少调整人员。会生成新版本。",
    "From (now)": "从（当前时间）",
    "Gone from now on": "从此时起离岗",
    "New urgent tickets to insert (optional; CSV, XLSX or JSON)": "需插入的新紧急工单（可选；CSV、XLSX 或 JSON）",
    "Re-plan from this time": "从此时起重新规划",
    "Carried over to {day}": "顺延至 {day}",
    "No route": "无路线",
    "Downloads": "下载",
    "Sheet (PDF)": "路线单（PDF）",
    "All sheets (one PDF)": "全部路线单（合并 PDF）",
    ("The QR codes on the sheets open {url}, which a worker's phone cannot reach: "
     "set CVP_URL_BASE to the address the phones use (docs/outputs.md)."):
        "路线单上的二维码指向 {url}，外勤人员的手机无法打开：请把 CVP_URL_BASE 设为手机能访问的地址（见 docs/outputs.md）。",
    "Export (Excel)": "导出（Excel）",
    "Export (CSV)": "导出（CSV）",
    "Warnings": "提示",
    "lunch": "午休",
    "leave": "出发",
    "back": "返回",
    "Published plans are read-only versions; planning again makes a new version.":
        "已发布的计划为只读版本；重新规划会生成新版本。",
    # field
    "Route for {day}": "{day} 拜访路线",
    "No published route for you on {day}.": "{day} 没有发布给您的路线。",
    "Call": "拨打",
    "Navigate": "导航",
    "Printable sheet (PDF)": "打印路线单（PDF）",
    "Record the outcome": "登记拜访结果",
    "Stop {n}": "第 {n} 站",
    "Customer": "客户",
    "Complaint": "投诉内容",
    "Arrived at": "实际到达时间",
    "Network test": "网络测试",
    "China Mobile": "中国移动",
    "China Unicom": "中国联通",
    "China Telecom": "中国电信",
    "Closed on site": "现场闭环",
    "Satisfaction": "客户满意度",
    "satisfied": "满意",
    "basically satisfied": "基本满意",
    "unsatisfied": "不满意",
    "customer not met": "未见到客户",
    "closed on site": "现场闭环",
    "needs later closure": "需要后期闭环",
    "customer refused the visit": "客户拒绝拜访",
    "ok": "正常",
    "not tried": "未测试",
    "Notes": "备注",
    "Outcome saved: the tickets are closed": "结果已保存：工单已现场闭环",
    "Outcome saved: the dispatcher follows up for later closure": "结果已保存：调度员将跟踪后期闭环",
    "Recorded": "已登记",
    "Previous": "上一站",
    "Next": "下一站",
    "All stops": "全部站点",
    "Lunch": "午休",
    "Leave at {t}": "{t} 出发",
    "Back at {t}": "{t} 返回",
    "unknown": "未知",
    # follow-ups
    "Follow-ups": "后期闭环跟踪",
    "Follow-ups to track, {district}": "{district} 后期闭环跟踪",
    "Visits that need later closure: coordinate, follow up, call the customer back, then close the case here.":
        "需要后期闭环的拜访：协调资源、跟踪处理、电话回访客户后，在此关闭。",
    "No visit needs later closure.": "没有需要后期闭环的拜访。",
    "{n} visited case(s) need later closure": "{n} 个已拜访的案例需要后期闭环",
    "Recorded by": "登记人",
    "Follow-up done: close the case": "已跟踪处理：关闭案例",
    "what was done (optional)": "处理情况（可选）",
    "Follow-up closed: {visit}": "已关闭后期闭环：{visit}",
    "closure not recorded": "未登记是否闭环",
    # planner
    "Cost scenarios": "成本测算",
    "Scenario {n}": "方案 {n}",
    "Scenario (YAML)": "方案（YAML）",
    "Start from": "起始方案",
    "Load": "载入",
    "Run": "计算",
    "Compare": "对比",
    "Sweep": "敏感性分析",
    "Save as": "另存为",
    "Saved scenarios": "已保存的方案",
    "Delete": "删除",
    "Item": "项目",
    "Formula": "计算公式",
    "Amount (yuan)": "金额（元）",
    "Subtotal": "小计",
    "Total per month": "月度合计",
    "Total per district": "每区合计",
    "Total per month, {n} districts": "{n} 个区月度合计",
    "Staffing": "人员配置",
    "Total staff": "总人数",
    "Field visitors": "拜访人员",
    "Vary": "变化参数",
    "Parameter": "参数",
    "Value": "数值",
    "Unit": "单位",
    "Pilot": "试点值",
    "The YAML has an error: correct it in the YAML view below.": "YAML 有错误：请在下方的 YAML 视图中改正。",
    "Advanced: the scenario as YAML": "高级：以 YAML 编辑方案",
    "Sweep scenario": "分析方案",
    # the form's parameters and units (cost_model/form.py, cost_model/bounds.py)
    "daily visits per district": "每区每日拜访量",
    "visits per person per day": "每人每日拜访量",
    "minutes per visit": "每次拜访用时",
    "working minutes per day": "每日工作时长",
    "working days per month": "每月工作天数",
    "follow-up staff per district": "每区跟踪回访人员",
    "districts": "区域数",
    "support staff": "支撑人员",
    "satisfied before": "实施前满意率",
    "satisfied after": "实施后满意率",
    "{item}: unit price": "{item}：单价",
    "{item}: fixed amount": "{item}：固定金额",
    "{item}: quantity": "{item}：数量",
    "{item}: months to amortise over": "{item}：摊销月数",
    "{item}: percentage": "{item}：比例",
    "{whole} · {part}": "{whole} · {part}",
    "VIP complaints": "VIP投诉",
    "repeat and clustered complaints": "重复及集中投诉",
    "salary": "工资",
    "bonus": "奖金",
    "welfare": "福利",
    "transport allowance": "交通补贴",
    "allowance": "补贴",
    "phone allowance": "话费补贴",
    "design": "设计费",
    "visits a day": "次/天",
    "minutes": "分钟",
    "days": "天",
    "people": "人",
    "yuan": "元",
    "units": "个",
    "months": "个月",
    "%": "%",
    # how the staffing was reached (cost_model/staffing.py message ids)
    "visits per person per day = {capacity} (given)": "每人每日拜访量 = {capacity}（给定）",
    "visits per person per day = floor({minutes} ÷ {per_visit}) = {capacity} (derived: working minutes ÷ minutes per visit)":
        "每人每日拜访量 = floor({minutes} ÷ {per_visit}) = {capacity}（推算：每日工作分钟 ÷ 每次拜访分钟）",
    "visitors per district = ceil({visits} ÷ {capacity}) = {visitors}": "每区拜访人员 = ceil({visits} ÷ {capacity}) = {visitors}",
    "the {rule} rule would give {capacity} visits per person per day → {visitors} visitors per district":
        "若按{rule}规则，每人每日拜访量为 {capacity}，每区需 {visitors} 名拜访人员",
    "given": "给定",
    "derived": "推算",
    # sweep columns and comparison rows (cost_model/sweep.py, cost_model/compare.py)
    "visitors per district": "每区拜访人员",
    "total staff": "总人数",
    "total per month": "每月总费用",
    "total per month, amortised": "每月总费用（一次性费用摊销）",
    "total per district": "每区费用",
    "cost per visit": "每次拜访成本",
    "follow-up per district": "每区跟踪回访人员",
    "field visitors": "拜访人员总数",
    "subtotal": "小计",
    "fees": "管理费等",
    "taxes": "税费",
    "total monthly (each scenario's own way)": "每月总费用（按各方案自身口径）",
    "total monthly, one-off items amortised": "每月总费用（一次性费用摊销）",
    "total per district (per-district quotes)": "每区费用（按区报价）",
    "cost per visit, amortised": "每次拜访成本（摊销）",
    "cost per visitor-day": "每人日成本",
    "cost per visitor-day, amortised": "每人日成本（摊销）",
    "cost per extra satisfied customer": "每新增满意客户成本",
    "cost per extra satisfied customer, amortised": "每新增满意客户成本（摊销）",
    "Monthly lines, whole programme (yuan)": "每月费用明细，全部区域（元）",
    "Totals (yuan)": "合计（元）",
    "Unit metrics (yuan)": "单位指标（元）",
    "e.g. daily_visits=10:40:5": "例如 daily_visits=10:40:5",
    "Parameters": "参数",
    "Scenario saved: {name}": "方案已保存：{name}",
    "Scenario deleted: {name}": "方案已删除：{name}",
    "Share read-only with every planner": "共享给所有规划人员（只读）",
    "Shared": "已共享",
    "scenario {name} belongs to {owner}: only its owner may change or delete it":
        "方案 {name} 属于 {owner}：只有其所有者可以修改或删除",
    "Difference": "差额",
    "Baseline": "基准",
    "Chart": "图表",
    "Unit metrics": "单位指标",
    "Changes (NAME=VALUE, one a line)": "参数调整（每行一个 NAME=VALUE）",
    # triage refused (planner.triage.limits.TOO_MANY)
    ("district {district} has {count} open tickets received before {before}, more than the {limit} "
     "one triage takes on ({field} in the rules file {rules}). Close or merge the tickets that need "
     "no visit, split the district, or raise the limit in the rules file."):
        "片区 {district} 有 {count} 张 {before} 前收到的未处理工单，"
        "超过单次分析的上限 {limit} 张（规则文件 {rules} 中的 {field}）。"
        "请关闭或合并无需拜访的工单、拆分片区，或在规则文件中提高上限。",
    # row errors from intake (planner.errors.Reason message ids; the English is what files and the CLI show)
    "line {line}, column {column}: {reason}": "第 {line} 行，{column} 列：{reason}",
    "{file}: {n} problem(s); nothing was imported": "{file}：{n} 处问题，未导入任何数据",
    "(row)": "（整行）",
    "(file)": "（文件）",
    "missing required value": "缺少必填内容",
    "required column {field} ({aliases}) is missing": "缺少必需的列 {field}（{aliases}）",
    "duplicate {field} {value!r} (first on line {line})": "{field} {value!r} 重复（首次出现在第 {line} 行）",
    "the file has a header but no data rows": "文件只有表头，没有数据行",
    "more than {count} rows have errors; the rest of the file was not checked (is it the right file?)":
        "超过 {count} 行有问题，文件其余部分未再检查（是否选错了文件？）",
    "{cells} cells but {headers} headers": "该行有 {cells} 个单元格，但表头只有 {headers} 列",
    "record is not an object": "该记录不是 JSON 对象",
    "unknown {what} {value!r} (expected one of: {known})": "无法识别的{what} {value!r}（可填：{known}）",
    "bad phone number {value!r} (expected 11 digits starting 13–19, or a landline like 029-88886666)":
        "电话号码 {value!r} 无效（应为 13–19 开头的 11 位手机号，或如 029-88886666 的固定电话）",
    "missing time": "缺少时间",
    "unparseable time {value!r} (expected e.g. 2010-08-05 09:30)": "无法识别的时间 {value!r}（应如 2010-08-05 09:30）",
    "time {value!r} is outside {first}–{last}": "时间 {value!r} 不在 {first}–{last} 年之间",
    "unparseable time of day {value!r} (expected HH:MM, e.g. 09:00)": "无法识别的时刻 {value!r}（应为 HH:MM，如 09:00）",
    "unparseable date {value!r} (expected e.g. 2010-09-30)": "无法识别的日期 {value!r}（应如 2010-09-30）",
    "{what} {value!r} is not a number": "{what} {value!r} 不是数字",
    "{what} {value!r} is not a finite number": "{what} {value!r} 不是有效的数字",
    "{what} {value!r} is not a number (a comma is not a decimal point)": "{what} {value!r} 不是数字（逗号不能作小数点）",
    "{length} characters; at most {limit}": "共 {length} 个字符，最多 {limit} 个",
    "{length} characters in one cell; at most {limit}": "单元格共 {length} 个字符，最多 {limit} 个",
    "a line break is not allowed here": "此处不允许换行",
    "a control character (U+{code:04X}) is not allowed": "不允许控制字符（U+{code:04X}）",
    "{field}: {problem}": "{field}：{problem}",
    "a text direction override (U+{code:04X}) is not allowed": "不允许文字方向控制符（U+{code:04X}）",
    "an invisible format character (U+{code:04X}) is not allowed in an id": "编号中不允许不可见的格式字符（U+{code:04X}）",
    "a JSON object where a single value belongs": "此处应为单个值，而不是 JSON 对象",
    "a JSON list where a single value belongs": "此处应为单个值，而不是 JSON 列表",
    "{what} {value!r} is below {minimum:g}": "{what} {value!r} 小于 {minimum:g}",
    "{what} {value!r} is above {maximum:g}": "{what} {value!r} 大于 {maximum:g}",
    "expected yes/no (是/否), got {value!r}": "应填 是/否，实际为 {value!r}",
    "missing coordinates, and the address is not in the gazetteer": "缺少坐标，且地址坐标表中没有该地址",
    "latitude and longitude must be given together": "纬度和经度必须同时填写",
    "point ({lat:.5f}, {lon:.5f}) is outside China (latitude and longitude swapped?)":
        "坐标 ({lat:.5f}, {lon:.5f}) 不在中国境内（纬度和经度是否填反了？）",
    "point ({lat:.5f}, {lon:.5f}) is outside the configured area of district {district}":
        "坐标 ({lat:.5f}, {lon:.5f}) 不在 {district} 的设定范围内",
    "an appointment window needs both a start and an end": "预约时间需要同时填写开始和结束",
    "appointment window ends ({end}) before it starts ({start})": "预约结束时间（{end}）早于开始时间（{start}）",
    "shift ends ({end}) before it starts ({start})": "下班时间（{end}）早于上班时间（{start}）",
    "break window ends ({end}) before it starts ({start})": "午休结束时间（{end}）早于开始时间（{start}）",
    "VIP tier": "VIP等级",
    "coordinate system": "坐标系",
    "communication style": "沟通风格",
    "status": "状态",
    "site status": "站点状态",
    "transport": "交通方式",
    "tenure": "网龄",
    "ARPU": "ARPU",
    "max visits": "每日最多拜访数",
    "latitude": "纬度",
    "longitude": "经度",
    # admin
    "Add a user": "添加用户",
    "Role": "角色",
    "Staff member (field accounts)": "员工编号（拜访人员账号）",
    "District (dispatcher accounts; field accounts where two districts have the staff id)":
        "区域（调度员账号；两个区域有同一员工编号时的拜访人员账号）",
    "--staff {staff}: there is one in {districts}; say which with --district":
        "员工编号 {staff} 在{districts}都有：请填写区域",
    "Active": "启用",
    "Deactivate": "停用",
    "Sign out everywhere": "退出所有登录",
    "Activate": "启用",
    "New password": "新密码",
    "Set password": "设置密码",
    "API token": "API 令牌",
    "New API token": "生成 API 令牌",
    "Revoke": "吊销",
    "The new API token for {name} (shown only now):": "{name} 的新 API 令牌（仅显示这一次）：",
    "User {name} added": "已添加用户 {name}",
    "User {name} updated": "已更新用户 {name}",
    "When": "时间",
    "Who": "用户",
    "Action": "操作",
    "Target": "对象",
    "Details": "详情",
    "Filter": "筛选",
    "Created": "创建时间",
    # the plan's outcome and a re-plan's changes
    "no feasible plan found within the time limit": "时限内未找到可行方案",
    "{n} visits could not be planned (listed below)": "{n} 个拜访未能安排（见下方列表）",
    "every visit planned": "所有拜访均已安排",
    "searched {seconds} s": "求解用时 {seconds} 秒",
    "Changes since version {v}": "相对第 {v} 版的变动",
    "absent": "缺勤",
    "{visit}: {before} → {after}": "{visit}：{before} → {after}",
    "{visit}: {before} → dropped: {why}": "{visit}：{before} → 未安排：{why}",
    "no visit changed worker or was dropped": "没有拜访换人或被取消",
    # roster and network-plan codes (CODE_LABELS)
    "on foot": "步行",
    "bus": "公交",
    "taxi": "出租车",
    "car": "汽车",
    "VIP service": "VIP 服务",
    "network test": "网络测试",
    "live": "在网",
    "under construction": "在建",
    "planned": "规划",
    "Site": "站点",
    "Latitude": "纬度",
    "Longitude": "经度",
    "Status": "状态",
    "Expected opening": "预计开通",
    # the roster's lunch (the plan's rule)
    "{minutes} min between {start} and {end}": "{start}–{end} 之间休息 {minutes} 分钟",
    "the rules’ default window": "名单未填，按规则默认时段",
    "no lunch: the shift leaves no room for it": "无午休：班次时间不够",
    # the triage page: rules as sentences, who the customer is
    "Visited because: {label}": "拜访原因：{label}",
    "Customer type: {label}": "客户类型：{label}",
    "Scenario: {label}": "场景：{label}",
    "Priority from the visit's strongest reason": "按最重要的拜访原因定优先级",
    "Eligible for a small gift": "可赠送小礼品",
    "Eligible for a gift, but today's allowance went to visits served first": "符合赠礼条件，但今日礼品额度已分给更优先的拜访",
    "Can be closed on site": "可现场闭环",
    "Customer type set by the dispatcher": "客户类型由调度员人工调整",
    "Scenario set by the dispatcher": "场景由调度员人工调整",
    "Chosen for a visit by the dispatcher": "调度员选择上门拜访",
    "Customer and complaint": "客户与投诉",
    "Rule details": "规则细节",
    "Full text": "全文",
    # the days worth opening (planner.calendar)
    "Days with work": "有工作的日期",
    "No open tickets and no plans yet: import the day’s tickets first.": "暂无待处理工单和路线计划：请先导入当天的工单。",
    "Open tickets, by the first day they can be planned": "待处理工单（按最早可安排日期）",
    "{n} open tickets": "{n} 张待处理工单",
    "Days with plans": "已有路线计划的日期",
    "{n} version(s)": "{n} 个版本",
    "My published routes": "我的已发布路线",
    "No route has been published for you yet.": "还没有发布给您的路线。",
    "today": "今天",
    "upcoming": "即将",
    "{n} stops": "{n} 站",
    # a file in the wrong field of the import form
    "{file}: this is an address gazetteer; upload it in the gazetteer field together with the ticket file":
        "{file}：这是地址库（地址坐标表），不能单独导入；请选择工单文件，并把它放在“地址坐标表”一栏一起上传",
    "{file}: only ticket files can be imported as history, and this file holds {what}":
        "{file}：只有投诉工单可以作为历史工单导入，而此文件是{what}；请取消勾选“已处理的历史工单”",
    # the case lifecycle (planner/cases): why a case is back, what it waits for, refused steps
    "planned {day}, no outcome recorded": "{day} 已安排但未登记结果",
    "customer not met {day}": "{day} 未见到客户",
    "customer refused the visit {day}": "{day} 客户拒绝拜访",
    "customer refused the visit on the phone {day}": "{day} 客户电话中拒绝拜访",
    "customer moved the visit to {day}": "客户将拜访改约至 {day}",
    "left unassigned {day}: {why}": "{day} 未能安排：{why}",
    "phone follow-up turned into a visit {day}": "{day} 电话回访转为上门拜访",
    "converted from a phone follow-up on {day}": "{day} 由电话回访转为上门拜访",
    "converted from a phone follow-up on {day}: {why}": "{day} 由电话回访转为上门拜访：{why}",
    "phone follow-up open since {day}, case {case}, {calls} call(s)": "电话回访自 {day} 起未结（案例 {case}，已致电 {calls} 次）",
    "case {case}": "案例 {case}",
    "reopened: {why}": "重新打开：{why}",
    "assign the follow-up": "指定后续跟踪",
    "call back from {day}": "{day} 起电话回访",
    "callback due {day} (site {site} live)": "{day} 回访（站点 {site} 开通）",
    "callback due {day} (site {site})": "{day} 回访（站点 {site}）",
    "a callback names the day it is due": "回访须注明日期",
    "a callback's site date is YYYY-MM-DD": "回访的站点日期格式为 YYYY-MM-DD",
    "call the customer": "电话联系客户",
    "call to agree a time": "电话预约拜访时间",
    "plan the visit (agreed {start}–{end})": "安排拜访（已约 {start}–{end}）",
    "record the outcome of {day} ({staff})": "登记 {day} 的拜访结果（{staff}）",
    "{owner} follows up": "{owner} 跟踪处理",
    "{owner} follows up by {day}": "{owner} 于 {day} 前跟踪处理",
    "a closure says why: one of {reasons}": "关闭须说明原因：{reasons} 之一",
    "a dispatcher's close needs a written reason": "调度员关闭须填写原因",
    "a plan event names its day and plan version": "计划事件须注明日期和计划版本",
    "a plan event needs its day": "计划事件须注明日期",
    "a resolved follow-up closes the case (close it as follow_up_resolved)":
        "后续跟踪已解决即关闭案例（以 follow_up_resolved 关闭）",
    "a visit is not resolved on the phone: record its outcome, or close it with a reason":
        "上门拜访不能以电话解决关闭：请登记拜访结果，或填写原因后关闭",
    "an agreed window needs a start and an end (HH:MM)": "约定时间须有开始和结束（HH:MM）",
    "an agreed window needs its date": "约定时间须注明日期",
    "an escalation names the level it goes to": "升级须注明升级到的层级",
    "cannot record outcome: the case is {status}{why}": "无法登记拜访结果：案例状态为 {status}{why}",
    "cannot record {event}: the case is {status}{why}": "无法登记 {event}：案例状态为 {status}{why}",
    "closed on site is recorded with the visit's outcome": "现场闭环随拜访结果登记",
    "reopening a case needs a reason": "重新打开案例须填写原因",
    "resolved by phone closes phone follow-ups; this case is a visit": "电话解决只用于电话回访案例；此案例为上门拜访",
    "the case exists already (it is {status})": "案例已存在（状态 {status}）",
    "the case has no follow-up to resolve (it is {status})": "案例没有待解决的后续跟踪（状态 {status}）",
    "the case is a visit already": "案例已是上门拜访",
    "the window ends at {end} before it starts at {start}": "约定时间 {end} 结束早于 {start} 开始",
    "{event} for {day}: the visit is planned for {planned}": "{day} 的 {event}：该拜访安排在 {planned}",
    "{event} is for visits; this case is a phone follow-up": "{event} 只用于上门拜访；此案例为电话回访",
    "{event} needs a case; the case starts when it is selected": "{event} 需要先有案例；案例在选中时建立",
    "{what} {value!r}: choose one of {choices}": "{what} {value!r}：请选择 {choices} 之一",
    # the case ledger and a case's page
    "Cases": "案例",
    "Case": "案例",
    "Case {case}": "案例 {case}",
    "Case {case}: {reason}": "案例 {case}：{reason}",
    "Case ledger, {district}": "{district}案例台账",
    "Every selected customer is a case until it is closed: what each waits for, who owns it, and why it is back.":
        "每个被选中的客户都是一个案例，直到关闭为止：每个案例在等什么、由谁负责、为何再次出现。",
    "State": "状态",
    "Kind": "类型",
    "any": "全部",
    "overdue only": "只看逾期",
    "show closed cases": "显示已关闭案例",
    "Close the day": "结束当天",
    "Close the day: visits without an outcome are not done": "结束当天：未登记结果的拜访记为未完成",
    "{n} case(s)": "{n} 个案例",
    "page {page} of {pages}": "第 {page} 页，共 {pages} 页",
    "No case matches.": "没有符合条件的案例。",
    "Age (days)": "天数",
    "Next action": "下一步",
    "Owner": "负责人",
    "Promised": "承诺日期",
    "Why back": "再次出现原因",
    "overdue": "逾期",
    "Previous page": "上一页",
    "Next page": "下一页",
    "{day} closed: {n} planned visit(s) without an outcome marked not done": "{day} 已结束：{n} 个未登记结果的拜访记为未完成",
    "Back to the case ledger": "返回案例台账",
    "Where it stands": "当前情况",
    "Opened": "建立",
    "{n} day(s) ago": "{n} 天前",
    "Selected because": "选中原因",
    "Calls": "电话",
    "Call list": "电话预约",
    "last": "最近",
    "Agreed": "已约定",
    "Planned": "已排程",
    "unassigned": "未分配",
    "Follow-up": "后续跟踪",
    "owner": "负责人",
    "promised {day}": "承诺 {day}",
    "escalated to {to}": "已升级至 {to}",
    "Closed": "已关闭",
    "Steps": "操作",
    "Close the case": "关闭案例",
    "Reason (kept in the history)": "原因（记入历史）",
    "Reopen the case": "重新打开案例",
    "Record a call": "登记电话",
    "Result": "结果",
    "Date agreed": "约定日期",
    "Note": "备注",
    "Record the call": "登记电话",
    "Assign the follow-up": "分派后续跟踪",
    "Solution": "解决方案",
    "Promised date": "承诺日期",
    "Assign": "分派",
    "Update the follow-up": "更新后续跟踪",
    "unchanged": "不变",
    "New promised date": "新的承诺日期",
    "Update": "更新",
    "Escalate the follow-up": "升级后续跟踪",
    "To": "升级至",
    "Escalate": "升级",
    "Resolve the follow-up": "解决后续跟踪",
    "What solved it": "如何解决",
    "Resolved: close the case": "已解决：关闭案例",
    "History": "历史",
    "What": "事件",
    "Day": "日期",
    "Values": "内容",
    "Case closed": "案例已关闭",
    "Case open again": "案例已重新打开",
    "The phone follow-up is a visit now: the next triage selects it": "电话回访已转为上门拜访：下次筛选将安排拜访",
    "Turn into a visit": "转为上门拜访",
    "Record the callback": "登记回访",
    "What was recorded on site": "现场记录",
    "a window belongs to a confirmed or rescheduled call": "只有确认或改约的电话才登记时段",
    "a phone follow-up agrees no visit: turn it into a visit first": "电话回访不约拜访：请先转为上门拜访",
    "a visit agreed for {day}: between {first} and {last}": "约定拜访日期 {day}：须在 {first} 至 {last} 之间",
    "the promised date {day} is in the past": "承诺日期 {day} 已过",
    "the promised date {day} is more than a year ahead": "承诺日期 {day} 超过一年以后",
    "a resolved follow-up says how it was solved": "请写明问题是如何解决的",
    "visit agreed for {day} {start}–{end}": "已约定 {day} {start}–{end} 拜访",
    "the callback is due from {day}": "回访自 {day} 起才到期",
    "{owner!r} is not an active dispatcher or follow-up account of {district}":
        "{owner!r} 不是{district}在用的调度员或跟踪回访人员账号",
    "reached: yes or no": "是否联系到客户：请选择是或否",
    "Customer reached": "已联系到客户",
    "yes": "是",
    "no": "否",
    "Answer": "客户评价",
    "Callback recorded": "回访已登记",
    "called back": "已回访",
    "no callback is due on this case": "此案例没有待回访",
    "a callback names the day it was made": "回访需注明日期",
    "a callback says whether the customer was reached": "回访需注明是否联系到客户",
    "an answer needs the customer reached": "只有联系到客户才能登记评价",
    "answer {value!r}: choose one of {choices}": "评价 {value!r}：请选择 {choices} 之一",
    "Call recorded": "电话已登记",
    "Follow-up assigned": "后续跟踪已分派",
    "Follow-up updated": "后续跟踪已更新",
    "Follow-up escalated": "后续跟踪已升级",
    "Follow-up resolved: the case is closed": "后续跟踪已解决：案例已关闭",
    "promised: the date promised to the customer": "promised：须填写向客户承诺的日期",
    "{name}: a date YYYY-MM-DD, not {value!r}": "{name}：须为 YYYY-MM-DD 格式的日期，而不是 {value!r}",
    "open": "待处理",
    "scheduled": "已排程",
    "in follow-up": "后续跟踪中",
    "closed": "已关闭",
    "phone follow-up": "电话回访",
    "selected": "选中",
    "call": "电话",
    "appointment confirmed": "已确认预约",
    "left unassigned": "未能分配",
    "visit outcome": "拜访结果",
    "not done": "未完成",
    "follow-up assigned": "后续跟踪已分派",
    "follow-up updated": "后续跟踪已更新",
    "follow-up escalated": "后续跟踪已升级",
    "turned into a visit": "改为上门拜访",
    "callback due": "待回访",
    "reopened": "重新打开",
    "not reached": "未接通",
    "refused": "拒绝",
    "rescheduled": "改约",
    "confirmed": "已确认",
    "resolved": "已解决",
    "in progress": "处理中",
    "escalated": "已升级",
    "follow-up resolved": "后续跟踪解决",
    "resolved by phone": "电话解决",
    "closed by the dispatcher": "调度员关闭",
    # the call list (约见客户: the customer chooses the time)
    "Calls to agree the visits of {day}, {district}": "{district} {day} 拜访电话预约",
    "From plan version {version} ({status}): suggested times around each planned visit":
        "依据第 {version} 版计划（{status}）：按计划拜访时间给出建议时段",
    "On the phone": "通话规范",
    "No visit to agree on this day.": "当日没有需要预约的拜访。",
    "No phone follow-up is open.": "没有待处理的电话回访。",
    "Suggested time": "建议时段",
    "Call tip": "沟通要点",
    "From": "从",
    "Not on a route": "未排入路线",
    "no case yet": "尚无案例",
    "to be planned": "待安排",
    "on a route": "已排入路线",
    "not called yet": "尚未致电",
    "{n} call(s)": "已致电 {n} 次",
    "to agree": "待约定",
    "reconfirmed {time}": "{time} 已再次确认",
    "moved to {day} {start}–{end}": "改约 {day} {start}–{end}",
    "what was said (optional)": "通话内容（可选）",
    "refused the visit": "拒绝拜访",
    "moved to another date or time": "改约其他时间",
    "resolved on the phone": "电话中已解决",
    "Call recorded on case {case}: {result}": "已登记通话（案例 {case}）：{result}",
    "case {case}: {reason}": "案例 {case}：{reason}",
    "{name}: a date as YYYY-MM-DD, not {value!r}": "{name}：日期格式应为 YYYY-MM-DD，而不是 {value!r}",
    "a call about a visit names its tickets": "登记拜访通话须注明其工单",
    "a call names the visit's ticket": "登记通话须注明拜访的工单",
    "no ticket {tickets} in {district}": "{district} 没有工单 {tickets}",
    "the visit's case is {status}: there is no visit to agree": "该拜访的案例状态为 {status}：无需预约拜访",
    "ticket {ticket} is not on the call list of {district} {day}": "工单 {ticket} 不在 {district} {day} 的电话预约清单中",
    "tickets {tickets} are not of the visit {visit} of {ticket}": "工单 {tickets} 不属于工单 {ticket} 所在的拜访 {visit}",
    # the follow-up queue (web/views/followups.py)
    "Follow-up queue, {district}": "{district} 后期闭环跟踪队列",
    "Visited customers whose problem is being followed up, and callbacks due: overdue first, then by the date due.":
        "已拜访、问题正在跟踪处理的客户，以及到期的电话回访：逾期的在前，其余按到期日期排列。",
    "Show the whole district": "显示全区",
    "Whole district": "全区",
    "Mine only": "只看我的",
    "Nothing to follow up.": "没有需要跟踪的案例。",
    "Due": "待办",
    "Since": "起始日期",
    "Visited by {staff}": "拜访人员 {staff}",
    "Overdue by {n} day(s)": "逾期 {n} 天",
    "To assign": "待指定",
    "Callback": "电话回访",
    "not started": "未开始",
    "Escalated to": "升级至",
    "what was done": "已做的工作",
    "how it was solved": "解决办法",
    "In progress": "处理中",
    "{n} more not shown.": "另有 {n} 条未显示。",
    "No such case: {case}": "没有案例 {case}",
    "Not recorded: {why}": "未登记：{why}",
    "Case {case}: follow-up in progress": "案例 {case}：后续跟踪处理中",
    "Case {case}: follow-up resolved, the case is closed": "案例 {case}：后续跟踪已解决，案例已关闭",
    # the stop page's record of a visit (planner/field_record.py)
    "Visit result": "拜访结果",
    "only when the customer was met": "仅在见到客户时填写",
    "Network": "网络",
    "Signal (dBm)": "信号 (dBm)",
    "Test call": "通话测试",
    "Data test": "上网测试",
    "The customer's problem": "客户反映问题",
    "The customer's requests": "客户要求",
    "Measure taken": "处理措施",
    "Gift given": "已赠送礼品",
    "Which gift": "礼品",
    "Date promised to the customer": "承诺客户日期",
    "Outcome saved: the visit is planned again": "结果已保存：该拜访将重新安排",
    "Nothing changed: this outcome was recorded already": "未作更改：该结果已登记",
    "{field} {value}: a date as YYYY-MM-DD": "{field} {value}：日期格式为 YYYY-MM-DD",
    "{field} {value}: a whole number from {low} to {high} {unit}": "{field} {value}：须为 {low} 到 {high} {unit} 的整数",
    "{field} {value}: before the visit day {day}": "{field} {value}：早于拜访日 {day}",
    "{field} {value}: choose one of {choices}": "{field} {value}：请选择 {choices} 之一",
    "{field} {value}: more than {n} days after the visit day {day}": "{field} {value}：晚于拜访日 {day} 超过 {n} 天",
    "{field} {value}: no gift was given (gift_given is false)": "{field} {value}：未勾选赠送礼品",
    "{field}: HH:MM": "{field}：格式为 HH:MM",
    "{field}: a list of network tests": "{field}：须为网络测试列表",
    "{field}: a text": "{field}：须为文字",
    "{field}: an object with operator, technology, signal_dbm, call, data, data_kbps":
        "{field}：须含 operator、technology、signal_dbm、call、data、data_kbps",
    "{field}: at most {n} lines (one per operator and technology)": "{field}：最多 {n} 行（每个运营商和制式一行）",
    "{field}: only for a customer who was met (the result is {result})": "{field}：仅在见到客户时填写（拜访结果为 {result}）",
    "{field}: required, one of {choices}": "{field}：必填，可选 {choices}",
    "{field}: true or false": "{field}：须为是或否",
    "{field}: unknown field {name}": "{field}：未知字段 {name}",
    "{field}: unknown field, the record has {choices}": "{field}：未知字段，可填 {choices}",
    "{field}: unknown operator {value}, choose one of {choices}": "{field}：未知运营商 {value}，请选择 {choices} 之一",
    "{field}: {line} is given twice": "{field}：{line} 重复填写",
    "{field}: {operator} has no technology {value}, choose one of {choices}":
        "{field}：{operator} 没有制式 {value}，请选择 {choices} 之一",
}


#: the English message of each outcome code (visit results, satisfaction, test results)
OUTCOME_LABELS = {
    "closed_on_site": "closed on site", "follow_up": "needs later closure", "not_met": "customer not met",
    "refused": "customer refused the visit",
    "satisfied": "satisfied", "basically_satisfied": "basically satisfied", "unsatisfied": "unsatisfied",
    "ok": "ok", "failed": "failed", "not_tried": "not tried",
}


#: the English words of the codes a case shows (its state and kind, its events' kinds, a
#: call's result, a follow-up's status, why it was closed; :mod:`planner.cases.events`)
CASE_LABELS = {
    "open": "open", "planned": "scheduled", "follow_up": "in follow-up", "closed": "closed",
    "visit": "visit", "phone": "phone follow-up",
    "selected": "selected", "call_attempt": "call", "appointment_confirmed": "appointment confirmed",
    "unassigned": "left unassigned", "outcome": "visit outcome", "not_done": "not done",
    "follow_up_assigned": "follow-up assigned", "follow_up_updated": "follow-up updated",
    "follow_up_escalated": "follow-up escalated", "converted_to_visit": "turned into a visit",
    "callback_due": "callback due", "called_back": "called back", "reopened": "reopened",
    "unreached": "not reached", "refused": "refused", "rescheduled": "rescheduled", "confirmed": "confirmed",
    "resolved": "resolved", "in_progress": "in progress", "escalated": "escalated",
    "closed_on_site": "closed on site", "follow_up_resolved": "follow-up resolved",
    "resolved_by_phone": "resolved by phone", "dispatcher": "closed by the dispatcher",
}


def case_label(code: str | None) -> str:
    """A case's code (state, kind, event, call result, follow-up status, close reason) in the
    page's language; an unknown code as it is."""
    return gettext(CASE_LABELS[code]) if code in CASE_LABELS else (code or "")
def measured(record) -> list[str]:
    """A record's measurements as lines in the page's language: ``中国移动 GSM -85 dBm · 通话测试 正常``."""
    if record is None:
        return []
    rules = current_app.extensions["cvp_rules"].field_record
    out = []
    for t in record.tests:
        op = rules.operator(t.operator)
        name = (op.label if get_lang() == "zh" else op.en) if op else t.operator
        parts = [f"{name} {t.technology}"] + ([f"{t.signal_dbm} dBm"] if t.signal_dbm is not None else [])
        for label, result in (("Test call", t.call), ("Data test", t.data)):
            if result.value != "not_tried":
                parts.append(f"{gettext(label)} {outcome_label(result.value)}")
        if t.data_kbps is not None:
            parts.append(f"{t.data_kbps} kbps")
        out.append(" · ".join(parts))
    return out


#: the English name of each code a roster or network plan holds (transport, skills, a site's
#: status), shown in the page's language; a code not listed (a skill of the operator's own) as it is
CODE_LABELS = {
    "transport": {"walk": "on foot", "bus": "bus", "taxi": "taxi", "car": "car"},
    "skill": {"vip": "VIP service", "test": "network test"},
    "site_status": {"live": "live", "under_construction": "under construction", "planned": "planned"},
}


def code_label(code: str | None, kind: str) -> str:
    """A roster or network-plan code (``kind``: transport, skill, site_status) in the page's language."""
    english = CODE_LABELS[kind].get(code or "")
    return gettext(english) if english else (code or "")


#: each triage rule's meaning as a sentence (English message id; ``{label}`` is the rules
#: file's label of the code after the dot); the rule's id and the engine's detail stay
#: available on demand.  A rule not listed shows its id.
RULE_SENTENCES = {
    "selection": "Visited because: {label}",
    "customer_type": "Customer type: {label}",
    "scenario": "Scenario: {label}",
    "priority": "Priority from the visit's strongest reason",
    "gift": "Eligible for a small gift",
    "gift.budget": "Eligible for a gift, but today's allowance went to visits served first",
    "closable_on_site": "Can be closed on site",
    "override.type": "Customer type set by the dispatcher",
    "override.scenario": "Scenario set by the dispatcher",
    "override.select": "Chosen for a visit by the dispatcher",
}


def rule_sentences(fired: list[dict]) -> list[dict]:
    """A visit's fired rules as sentences in the page's language, each rule once (a cluster
    visit fires the cluster rule for every member): ``{"text", "rule", "details"}``."""
    tx = texts()
    label_of = {"selection": tx.reason, "customer_type": tx.customer_type, "scenario": tx.scenario}
    found: dict[str, dict] = {}
    for f in fired:
        rule = f["rule"]
        entry = found.get(rule)
        if entry is None:
            head, _dot, code = rule.partition(".")
            msgid = RULE_SENTENCES.get(rule) or (RULE_SENTENCES.get(head) if head in label_of else None)
            text = gettext(msgid, label=label_of[head](code) if head in label_of else "") if msgid else rule
            entry = found[rule] = {"text": text, "rule": rule, "details": []}
        if f.get("detail") and f["detail"] not in entry["details"]:
            entry["details"].append(f["detail"])
    return list(found.values())


def outcome_label(code: str | None) -> str:
    """An outcome code in the page's language (unknown codes as they are)."""
    return gettext(OUTCOME_LABELS[code]) if code in OUTCOME_LABELS else (code or "")


def get_lang() -> str:
    lang = session.get("lang")
    return lang if lang in LANGS else current_app.config.get("DEFAULT_LANG", "zh")


def gettext(msgid: str, **values: Any) -> str:
    text = ZH.get(msgid, msgid) if get_lang() == "zh" else msgid
    return text.format(**values) if values else text


_ = gettext


def translate(text: Any) -> str:
    """A :class:`~planner.errors.Reason` (a row error's reason or column placeholder) in the
    page's language, its values formatted in; any other text as it is."""
    if not isinstance(text, Reason):
        return "" if text is None else str(text)
    values = {k: translate(v) if isinstance(v, Reason) else v for k, v in text.values.items()}
    return gettext(text.msgid, **values)


def row_error(error: RowError) -> str:
    """``line N, column X: reason`` in the page's language (第 N 行，X 列：原因)."""
    return gettext(ROW_ERROR, line=error.line, column=translate(error.column), reason=translate(error.reason))


def file_errors(exc: InvalidFileError, limit: int = 20) -> list[str]:
    """An invalid file's problems as lines in the page's language: a summary, then each row."""
    name = PurePath(exc.path).name  # the file's name, not where the server keeps it
    head = gettext("{file}: {n} problem(s); nothing was imported", file=name, n=len(exc.errors))
    return [head] + [row_error(e) for e in exc.errors[:limit]]


def error_lines(exc: Exception) -> list[str]:
    """A user error as lines for a page: an invalid file's rows translated, else its message
    (translated when it is a :class:`~planner.errors.Reason`)."""
    if isinstance(exc, InvalidFileError):
        return file_errors(exc)
    return [translate(exc.args[0]) if len(exc.args) == 1 and isinstance(exc.args[0], Reason) else str(exc)]


def texts():
    """The sheets' texts (types, scenarios, VIP tiers, reasons) in the page's language."""
    from planner.sheets import load_texts

    return load_texts(current_app.extensions["cvp_rules"], get_lang())


def localtime(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time in the rules' zone (Asia/Shanghai), e.g. for the audit log."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    tz = current_app.extensions["cvp_rules"].tz
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.strftime(fmt)


def hm(value: str | None) -> str:
    """``2010-08-05T10:30:00+08:00`` → ``10:30`` (plan times are already local)."""
    return localtime(value, "%H:%M") if value else "--:--"


def window(value) -> str:
    if not value or not value[0] or not value[1]:
        return gettext("any time")
    return f"{hm(value[0])}–{hm(value[1])}"


def money(value: float | int | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def isodate(value: date | datetime) -> str:
    return value.isoformat()[:10]


def clock(value) -> str:
    """A wall-clock time (roster shifts) as ``HH:MM``."""
    return value.strftime("%H:%M") if value else ""


def init_app(app: Flask) -> None:
    from planner.masking import mask_phone

    app.jinja_env.globals.update(_=gettext, get_lang=get_lang, texts=texts, LANGS=LANGS)
    app.jinja_env.filters.update(localtime=localtime, hm=hm, window=window, money=money, isodate=isodate,
                                 clock=clock, mask_phone=mask_phone, outcome_label=outcome_label, code=code_label,
                                 case_label=case_label, rule_sentences=rule_sentences, measured=measured,
                                 tr=translate)
