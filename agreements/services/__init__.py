"""Letter-of-agreement services: templates, letters and their steps, signing, renewal, batches.
Views, the API and tasks call these; each checks who may do it and raises DomainError when a rule
refuses."""

from agreements.services.letters import (
    ClientInfo,
    IssueResult,
    letter_content,
    letter_countersign,
    letter_decline,
    letter_issue,
    letter_remind,
    letter_send,
    letter_sign,
    letter_update,
    letter_view,
    letter_withdraw,
    letters_expire_due,
    letters_issue,
    letters_remind_due,
    letters_renew,
)
from agreements.services.templates import template_create, template_default, template_revise

__all__ = [
    "ClientInfo",
    "IssueResult",
    "letter_content",
    "letter_countersign",
    "letter_decline",
    "letter_issue",
    "letter_remind",
    "letter_send",
    "letter_sign",
    "letter_update",
    "letter_view",
    "letter_withdraw",
    "letters_expire_due",
    "letters_issue",
    "letters_remind_due",
    "letters_renew",
    "template_create",
    "template_default",
    "template_revise",
]
