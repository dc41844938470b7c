"""The 三亮三比三评 campaign: who sees what, the phases, the 三比 boards, reminders and daily jobs."""
