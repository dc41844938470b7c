"""The few words a screen shows that are not data: slide titles, captions, status lines.

Every label is an English msgid for Flask-Babel. Screens hang in Chinese halls and Chinese is
the default locale, so until the catalog translates a label, a Chinese locale falls back to
the Chinese text given here (the catalog, once built, wins).
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

LABELS = {
    # slide titles
    "identity_wall": (_l("Our staff on duty"), "亮身份 · 在岗人员"),
    "member_spotlight": (_l("Member in focus"), "亮身份 · 党员风采"),
    "standards": (_l("Service standards"), "亮标准 · 服务标准"),
    "pledges": (_l("Our pledges"), "亮承诺 · 公开承诺"),
    "honor_board": (_l("Honor board"), "光荣榜"),
    "notices": (_l("Notices"), "通知公告"),
    "banner": (_l("Campaign"), "三亮三比三评"),
    "satisfaction": (_l("Public satisfaction"), "群众满意度"),
    # the campaign itself
    "campaign": (_l("Three shows, three comparisons, three reviews"), "三亮三比三评"),
    "campaign_show": (_l("Show identity · Show standards · Show pledges"), "亮身份 · 亮标准 · 亮承诺"),
    "campaign_compare": (_l("Compare skill · Compare conduct · Compare performance"), "比技能 · 比作风 · 比业绩"),
    "campaign_review": (_l("Public rating · Peer review · Leader review"), "群众评议 · 党员互评 · 领导点评"),
    "campaign_show_head": (_l("Show"), "三亮"),
    "campaign_compare_head": (_l("Compare"), "三比"),
    "campaign_review_head": (_l("Review"), "三评"),
    # member cards
    "party_member": (_l("Party member"), "党员"),
    "window": (_l("Window"), "窗口"),
    "post": (_l("Post"), "岗位"),
    "duties": (_l("Duties"), "工作职责"),
    "pledge": (_l("My pledge"), "我的承诺"),
    "no_members": (_l("No staff on duty at the moment"), "暂无在岗人员"),
    # standards
    "hall_rules": (_l("Hall-wide rules"), "服务制度"),
    "steps": (_l("Steps"), "办理流程"),
    "time_limit": (_l("Time limit"), "办结时限"),
    "materials": (_l("Materials"), "申请材料"),
    "fees": (_l("Fees"), "收费标准"),
    "legal_basis": (_l("Legal basis"), "设定依据"),
    "service_language": (_l("Service language"), "服务用语"),
    "no_fee": (_l("Free of charge"), "不收费"),
    "rule_first_contact": (_l("First-contact responsibility"), "首问负责"),
    "rule_inform_once": (_l("Inform everything at once"), "一次性告知"),
    "rule_time_limit": (_l("Done within the time limit"), "限时办结"),
    "rule_accountability": (_l("Accountability"), "责任追究"),
    # pledges and honors
    "org_pledge": (_l("The party organisation pledges"), "党组织承诺"),
    "member_pledges": (_l("Members pledge"), "党员承诺"),
    "awarded_by": (_l("Awarded by"), "授予单位"),
    # satisfaction
    "satisfaction_rate": (_l("Satisfaction this month"), "本月满意率"),
    "ratings_count": (_l("ratings"), "条评价"),
    "by_window": (_l("By window"), "各窗口满意率"),
    # window screen
    "service_items": (_l("Service items"), "办理事项"),
    "rate_us": (_l("Scan to rate"), "扫码评价"),
    "rate_hint": (_l("Your rating helps us serve better"), "您的评价是我们改进的动力"),
    "window_closed": (_l("This window is not serving at the moment"), "本窗口暂停服务"),
    "at_your_service": (_l("At your service"), "为您服务"),
    # status
    "urgent": (_l("Urgent notice"), "紧急通知"),
    "last_updated": (_l("Last updated"), "最后更新"),
    "pairing_title": (_l("Pair this screen"), "屏幕配对"),
    "pairing_hint": (_l("In the admin console, add a screen and enter this code:"), "请在管理后台“屏幕”中新建屏幕并输入以下配对码："),
    "pairing_expires": (_l("The code renews itself before it expires."), "配对码过期前会自动更新。"),
    "pairing_offline": (_l("Cannot reach the server. Retrying…"), "无法连接服务器，正在重试…"),
    "pairing_done": (_l("Paired. Opening the screen…"), "配对成功，正在打开屏幕…"),
    "until": (_l("until"), "截止"),
}


def labels() -> dict[str, str]:
    """The labels in the request's locale; Chinese text where a Chinese locale has no translation yet."""
    chinese = str(get_locale() or "zh").startswith("zh")
    out = {}
    for key, (msg, zh) in LABELS.items():
        text = str(msg)
        out[key] = zh if chinese and text == msg._args[0] else text
    return out
