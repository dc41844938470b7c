"""The national 好差评 format: a rating as the platform's evaluation record, a ledger step as its
差评整改 step (核实, 整改, 反馈, 回访). docs/INTEGRATION.md lists every field.

Keys are Liangbiping's English names for the platform's fields (each documented with its Chinese
name); a province whose interface spells them otherwise maps the names in its receiver.
"""

from __future__ import annotations

from datetime import datetime

GRADES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
# 评价渠道: the platform's channel for each of ours.
CHANNELS = {"kiosk": ("onsite_device", "现场评价器"), "device": ("onsite_device", "现场评价器"),
            "qr": ("qr_code", "二维码"), "web": ("online", "网上")}
REASONS = {"attitude": "态度不好", "slow": "办理太慢", "unfamiliar": "业务不熟", "repeat_trips": "多次跑腿",
           "facilities": "环境设施", "other": "其他"}
# 差评整改 steps: each ledger action as the platform's step.
STEPS = {"open": ("accept", "受理"), "verify": ("verify", "核实"), "dismiss": ("verify", "核实"),
         "start": ("rectify", "整改"), "complete": ("feedback", "反馈"),
         "revisit": ("revisit", "回访"), "reopen": ("revisit", "回访")}
# A change of the plan (the 四明确) belongs to the step the entry is in.
UPDATE_STEPS = {"open": ("verify", "核实"), "verified": ("verify", "核实"), "rectifying": ("rectify", "整改"),
                "done": ("feedback", "反馈")}
VERDICTS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


def _local(value: str | None, zone) -> str | None:
    """ISO UTC text as the hall's local time, the way the platform writes times (YYYY-MM-DD HH:MM:SS)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def rating_record(data: dict, zone, *, send_contact: bool = False) -> dict:
    channel_code, channel_label = CHANNELS.get(data.get("channel"), ("online", "网上"))
    score = int(data["score"])
    record = {
        "record_type": "evaluation",
        "evaluation_id": data["id"],
        "case_no": data.get("case_no") or "",
        "service_item_name": data.get("service_item") or "",
        "service_item_code": data.get("service_code") or "",
        "grade": score,
        "grade_label": GRADES[score],
        "channel": channel_code,
        "channel_label": channel_label,
        "evaluated_at": _local(data.get("rated_at"), zone),
        "reasons": [REASONS.get(r, r) for r in data.get("reasons") or []],
        "comment": data.get("comment") or "",
        "staff_id": data.get("staff_id"),
        "window_id": data.get("window_id"),
        "counted": data.get("flagged") is None,
    }
    if send_contact and data.get("contact"):
        record["evaluator_contact"] = data["contact"]
    return record


def rectification_record(data: dict, zone) -> dict:
    step = data.get("step") or {}
    if step.get("action") == "update":
        step_code, step_label = UPDATE_STEPS.get(data.get("state"), ("rectify", "整改"))
    else:
        step_code, step_label = STEPS.get(step.get("action"), ("rectify", "整改"))
    return {
        "record_type": "rectification",
        "work_order_no": data.get("external_id") or f"LBP-{data['id']}",
        "work_order_source": data.get("external_source") or "liangbiping",
        "evaluation_id": data.get("rating_id"),
        "step": step_code,
        "step_label": step_label,
        "action": step.get("action"),
        "state": data.get("state"),
        "result": "unfounded" if step.get("action") == "dismiss" else None,
        "step_at": _local(step.get("at"), zone),
        "note": step.get("note") or "",
        "measure": data.get("measure") or "",
        "deadline": data.get("deadline"),
        "verdict": data.get("verdict"),
        "verdict_label": VERDICTS.get(data.get("verdict")),
    }


def record(event_type: str, data: dict, zone, *, send_contact: bool = False) -> dict:
    """The platform's record for an event; events the platform has no record for go as they are."""
    if event_type == "rating.created":
        return rating_record(data, zone, send_contact=send_contact)
    if event_type == "rectification.changed":
        return rectification_record(data, zone)
    return data
