"""Prompts from other systems (一次一评): a business system starts one per finished case."""

from __future__ import annotations

from flask import g

from ..integration import prompts
from ..integration.schemas import PromptCreated, PromptIn, PromptOut
from .framework import endpoint

CALLERS = ("admin", "integration")


@endpoint("/prompts", "POST", summary="Start a rating prompt for a finished case", tag="prompts", roles=CALLERS,
          body=PromptIn, response=PromptCreated, status=201, name="prompts_create", errors=(409,),
          description="The kiosk at the window shows the case and the member and accepts one rating for it; "
                      "`rating_url` is the same prompt as a phone link (with `phone`, `sms` carries a text to send). "
                      "Name the member (`staff_id` or `employee_no`) and/or the window; a window alone means the "
                      "member on duty there (409 `no_member_at_window` when nobody is). A member's earlier open "
                      "prompt is cancelled.")
def create_prompt(body):
    values = body.model_dump(exclude_unset=True)
    prompt = prompts.start(values, g.actor)
    out = prompts.describe(prompt)
    if values.get("phone") and out.get("rating_url"):
        out["sms"] = {"phone": values["phone"], "text": prompts.sms_text(prompt, out["rating_url"])}
    return out


@endpoint("/prompts/<int:prompt_id>", "GET", summary="Read a prompt: whether and how it was rated", tag="prompts",
          roles=CALLERS, response=PromptOut, name="prompts_read",
          description="`state`: open, rated (with `rating_id`, `score`, `channel`, `rated_at`), cancelled, or expired "
                      "(not rated; never counted as satisfied).")
def read_prompt(prompt_id):
    return prompts.describe(prompts.get(prompt_id))


@endpoint("/prompts/<int:prompt_id>/cancel", "POST", summary="Cancel an open prompt", tag="prompts", roles=CALLERS,
          response=PromptOut, name="prompts_cancel", errors=(409,),
          description="The kiosk stops showing it. A rated prompt: 409 `prompt_used`; cancelling twice changes nothing.")
def cancel_prompt(prompt_id):
    return prompts.describe(prompts.cancel(prompts.get(prompt_id), g.actor))
