"""The few words a screen shows that are not data: slide titles, captions, status lines.

Every label is an English msgid for Flask-Babel, in the message context "screen": a screen's
title often differs from the same English word in the console ("Show" is the campaign's 三亮
here, a button elsewhere; "Service standards" is headed 亮标准 · 服务标准). Screens hang in
Chinese halls and Chinese is the default locale, so until the catalog translates a label, a
Chinese locale falls back to the Chinese text given here (the catalog, once built, wins;
tests/test_i18n.py checks that the two agree).
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_pgettext as _p

LABELS = {
    # slide titles
    "identity_wall": (_p("screen", "Our staff on duty"), "亮身份 · 在岗人员"),
    "member_spotlight": (_p("screen", "Member in focus"), "亮身份 · 党员风采"),
    "standards": (_p("screen", "Service standards"), "亮标准 · 服务标准"),
    "pledges": (_p("screen", "Our pledges"), "亮承诺 · 公开承诺"),
    "honor_board": (_p("screen", "Honor board"), "光荣榜"),
    "notices": (_p("screen", "Notices"), "通知公告"),
    "banner": (_p("screen", "Campaign"), "三亮三比三评"),
    "satisfaction": (_p("screen", "Public satisfaction"), "群众满意度"),
    "boards": (_p("screen", "Comparison boards"), "三比 · 比学赶超"),
    "board_rank": (_p("screen", "Rank"), "名次"),
    "board_sample": (_p("screen", "ratings"), "条评价"),
    "wishes": (_p("screen", "Wishes fulfilled"), "心愿墙 · 党员跑腿"),
    "wishes_month": (_p("screen", "wishes and errands fulfilled this month"), "本月圆梦心愿与代办"),
    "wishes_how": (_p("screen", "Stuck with something? Tell us at the kiosk or by phone."), "遇到难题？在评价器或用手机提出心愿"),
    # issue 12: the open survey rounds and the wish page, to scan (admin.push.citizen_codes)
    "take_part": (_p("screen", "Have your say"), "群众评议 · 扫码参与"),
    "take_part_survey": (_p("screen", "Scan to answer the survey"), "扫码参加测评"),
    "take_part_wish": (_p("screen", "Scan to post a wish or ask for an errand"), "扫码提出心愿或代办"),
    # the campaign itself
    "campaign": (_p("screen", "Three shows, three comparisons, three reviews"), "三亮三比三评"),
    "campaign_show": (_p("screen", "Show identity · Show standards · Show pledges"), "亮身份 · 亮标准 · 亮承诺"),
    "campaign_compare": (_p("screen", "Compare skill · Compare conduct · Compare performance"), "比技能 · 比作风 · 比业绩"),
    "campaign_review": (_p("screen", "Public rating · Peer review · Leader review"), "群众评议 · 党员互评 · 领导点评"),
    "campaign_show_head": (_p("screen", "Show"), "三亮"),
    "campaign_compare_head": (_p("screen", "Compare"), "三比"),
    "campaign_review_head": (_p("screen", "Review"), "三评"),
    # member cards
    "party_member": (_p("screen", "Party member"), "党员"),
    "window": (_p("screen", "Window"), "窗口"),
    "post": (_p("screen", "Post"), "岗位"),
    "duties": (_p("screen", "Duties"), "工作职责"),
    "pledge": (_p("screen", "My pledge"), "我的承诺"),
    "no_members": (_p("screen", "No staff on duty at the moment"), "暂无在岗人员"),
    # standards
    "hall_rules": (_p("screen", "Hall-wide rules"), "服务制度"),
    "steps": (_p("screen", "Steps"), "办理流程"),
    "time_limit": (_p("screen", "Time limit"), "办结时限"),
    "materials": (_p("screen", "Materials"), "申请材料"),
    "fees": (_p("screen", "Fees"), "收费标准"),
    "legal_basis": (_p("screen", "Legal basis"), "设定依据"),
    "service_language": (_p("screen", "Service language"), "服务用语"),
    "no_fee": (_p("screen", "Free of charge"), "不收费"),
    "rule_first_contact": (_p("screen", "First-contact responsibility"), "首问负责"),
    "rule_inform_once": (_p("screen", "Inform everything at once"), "一次性告知"),
    "rule_time_limit": (_p("screen", "Done within the time limit"), "限时办结"),
    "rule_accountability": (_p("screen", "Accountability"), "责任追究"),
    # pledges and honors
    "org_pledge": (_p("screen", "The party organisation pledges"), "党组织承诺"),
    "member_pledges": (_p("screen", "Members pledge"), "党员承诺"),
    "awarded_by": (_p("screen", "Awarded by"), "授予单位"),
    # satisfaction
    "satisfaction_rate": (_p("screen", "Satisfaction this month"), "本月满意率"),
    "ratings_count": (_p("screen", "ratings"), "条评价"),
    "by_window": (_p("screen", "By window"), "各窗口满意率"),
    "no_ratings": (_p("screen", "No ratings yet"), "暂无评价"),
    # the campaign phase
    "phase": (_p("screen", "Campaign phase"), "活动阶段"),
    "days_left": (_p("screen", "{n} days left"), "剩余 {n} 天"),
    # window screen
    "service_items": (_p("screen", "Service items"), "办理事项"),
    "rate_us": (_p("screen", "Scan to rate"), "扫码评价"),
    "rate_hint": (_p("screen", "Your rating helps us serve better"), "您的评价是我们改进的动力"),
    "rate_me": (_p("screen", "Scan to rate me"), "扫码评价我"),
    "window_closed": (_p("screen", "This window is not serving at the moment"), "本窗口暂停服务"),
    "at_your_service": (_p("screen", "At your service"), "为您服务"),
    "prompt_title": (_p("screen", "Please rate this service"), "请为本次服务评价"),
    "prompt_case": (_p("screen", "Case no."), "办件编号"),
    "prompt_item": (_p("screen", "Service item"), "办理事项"),
    "prompt_member": (_p("screen", "Served by"), "经办人"),
    "prompt_hint": (_p("screen", "Scan with your phone to rate the case just handled"), "请用手机扫码，为刚刚办理的业务评价"),
    # status
    "urgent": (_p("screen", "Urgent notice"), "紧急通知"),
    "last_updated": (_p("screen", "Last updated"), "最后更新"),
    "pairing_title": (_p("screen", "Pair this screen"), "屏幕配对"),
    "pairing_hint": (_p("screen", "In the admin console, add a screen and enter this code:"), "请在管理后台“屏幕”中新建屏幕并输入以下配对码："),
    "pairing_expires": (_p("screen", "The code renews itself before it expires."), "配对码过期前会自动更新。"),
    "pairing_offline": (_p("screen", "Cannot reach the server. Retrying…"), "无法连接服务器，正在重试…"),
    "pairing_done": (_p("screen", "Paired. Opening the screen…"), "配对成功，正在打开屏幕…"),
    "until": (_p("screen", "until"), "截止"),
}


def labels() -> dict[str, str]:
    """The labels in the request's locale; Chinese text where a Chinese locale has no translation yet."""
    chinese = str(get_locale() or "zh").startswith("zh")
    out = {}
    for key, (msg, zh) in LABELS.items():
        text = str(msg)
        out[key] = zh if chinese and text == msg._args[-1] else text
    return out
