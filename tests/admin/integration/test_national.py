"""The national 好差评 format: a rating as the platform's evaluation record and a ledger step as its
差评整改 step, checked against the schema the platform's records follow (below)."""

from __future__ import annotations

import jsonschema

from tests.admin.integration.conftest import Receiver, deliver
from tests.kiosk.conftest import rating

LOCAL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
EVALUATION = {
    "type": "object",
    "required": ["record_type", "evaluation_id", "case_no", "service_item_name", "service_item_code", "grade",
                 "grade_label", "channel", "channel_label", "evaluated_at", "reasons", "comment", "counted"],
    "additionalProperties": False,
    "properties": {
        "record_type": {"const": "evaluation"},
        "evaluation_id": {"type": "string", "minLength": 36, "maxLength": 36},
        "case_no": {"type": "string", "maxLength": 64},               # 办件编号
        "service_item_name": {"type": "string", "maxLength": 128},    # 事项名称
        "service_item_code": {"type": "string", "maxLength": 64},     # 事项编码
        "grade": {"type": "integer", "minimum": 1, "maximum": 5},     # 评价等级
        "grade_label": {"enum": ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]},
        "channel": {"enum": ["onsite_device", "qr_code", "online"]},  # 评价渠道
        "channel_label": {"enum": ["现场评价器", "二维码", "网上"]},
        "evaluated_at": {"type": "string", "pattern": LOCAL_TIME},    # 评价时间, the hall's local time
        "reasons": {"type": "array", "items": {"enum": ["态度不好", "办理太慢", "业务不熟", "多次跑腿", "环境设施", "其他"]}},
        "comment": {"type": "string", "maxLength": 500},
        "staff_id": {"type": ["integer", "null"]},
        "window_id": {"type": ["integer", "null"]},
        "counted": {"type": "boolean"},
        "evaluator_contact": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},  # 评价人联系方式
    },
}
RECTIFICATION = {
    "type": "object",
    "required": ["record_type", "work_order_no", "work_order_source", "step", "step_label", "action", "state",
                 "step_at", "note", "measure", "deadline"],
    "additionalProperties": False,
    "properties": {
        "record_type": {"const": "rectification"},
        "work_order_no": {"type": "string", "minLength": 1},
        "work_order_source": {"type": "string"},
        "evaluation_id": {"type": ["string", "null"]},
        "step": {"enum": ["accept", "verify", "rectify", "feedback", "revisit"]},
        "step_label": {"enum": ["受理", "核实", "整改", "反馈", "回访"]},
        "action": {"type": "string"},
        "state": {"enum": ["open", "verified", "dismissed", "rectifying", "done", "revisited"]},
        "result": {"type": ["string", "null"]},
        "step_at": {"type": "string", "pattern": LOCAL_TIME},
        "note": {"type": "string"},
        "measure": {"type": "string"},
        "deadline": {"type": ["string", "null"]},
        "verdict": {"enum": ["satisfied", "basically_satisfied", "dissatisfied", None]},
        "verdict_label": {"enum": ["满意", "基本满意", "不满意", None]},
    },
}


def test_ratings_and_ledger_steps_in_the_national_format(app, client, hall, subscribe, admin_headers, make_user,
                                                         integration_headers):
    platform, quiet = Receiver(), Receiver()
    try:
        subscribe(platform, ["rating.created", "rectification.changed"], format="national", send_contact=True)
        subscribe(quiet, ["rating.created"], format="national")
        prompt = client.post("/api/v1/prompts", headers=integration_headers, json={
            "case_no": "BJ-2026-7", "service_item": "养老保险参保登记", "service_code": "SB-001",
            "staff_id": hall.m1}).get_json()
        from liangbiping.admin.extensions import db
        from liangbiping.admin.models import RatingPrompt
        from liangbiping.kiosk.qrtokens import prompt_token

        with app.app_context():
            token = prompt_token(db.session.get(RatingPrompt, prompt["id"]))
        bad = client.post("/api/v1/ratings", json=rating(channel="qr", qr_token=token, score=1,
                                                         reasons=["slow", "attitude"], contact="139 0000 1111"))
        assert bad.status_code == 201, bad.get_json()
        entry = client.get(f"/api/v1/rectifications?rating_id={bad.get_json()['id']}",
                           headers=admin_headers).get_json()["items"][0]
        leader = make_user("leader")
        client.patch(f"/api/v1/rectifications/{entry['id']}", headers=admin_headers,
                     json={"measure": "窗口增配人员", "leader_id": leader, "responsible_id": hall.m1,
                           "deadline": "2030-01-10"})
        for body in ({"action": "verify"}, {"action": "start"}, {"action": "complete", "evidence": "已增配"},
                     {"action": "revisit", "verdict": "satisfied"}):
            assert client.post(f"/api/v1/rectifications/{entry['id']}/transition", headers=admin_headers,
                               json=body).status_code == 200
        deliver(app)
        records = [b["data"] for b in platform.accepted()]
        evaluations = [r for r in records if r["record_type"] == "evaluation"]
        steps = [r for r in records if r["record_type"] == "rectification"]
        (evaluation,) = evaluations
        jsonschema.validate(evaluation, EVALUATION)
        assert evaluation["case_no"] == "BJ-2026-7" and evaluation["service_item_name"] == "养老保险参保登记"
        assert evaluation["service_item_code"] == "SB-001"
        assert evaluation["grade"] == 1 and evaluation["grade_label"] == "非常不满意"
        assert evaluation["channel_label"] == "二维码" and evaluation["reasons"] == ["办理太慢", "态度不好"]
        assert evaluation["evaluator_contact"] == "13900001111"
        for step in steps:
            jsonschema.validate(step, RECTIFICATION)
        assert [s["step_label"] for s in steps] == ["受理", "核实", "核实", "整改", "反馈", "回访"]
        assert steps[-1]["verdict_label"] == "满意" and steps[0]["evaluation_id"] == bad.get_json()["id"]
        (plain,) = [b["data"] for b in quiet.accepted()]
        jsonschema.validate(plain, EVALUATION)
        assert "evaluator_contact" not in plain  # only where the platform requires it
    finally:
        platform.stop()
        quiet.stop()


def test_every_channel_and_grade_maps_to_the_national_labels():
    from zoneinfo import ZoneInfo

    from liangbiping.admin.integration.national import rating_record

    zone = ZoneInfo("Asia/Shanghai")
    labels = {}
    for channel in ("kiosk", "device", "qr", "web"):
        for score in range(1, 6):
            record = rating_record({"id": "0" * 36, "score": score, "channel": channel, "rated_at": "2026-12-06T02:00:00Z",
                                    "reasons": [], "comment": "", "flagged": None}, zone)
            jsonschema.validate(record, EVALUATION)
            labels[(channel, score)] = (record["channel_label"], record["grade_label"])
            assert record["evaluated_at"] == "2026-12-06 10:00:00"
    assert labels[("kiosk", 5)] == ("现场评价器", "非常满意") and labels[("device", 4)] == ("现场评价器", "满意")
    assert labels[("qr", 3)] == ("二维码", "基本满意") and labels[("web", 2)] == ("网上", "不满意")
