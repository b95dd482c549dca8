"""The written feedback letter (书面反馈意见): models and pure renderers (text, .docx; .pdf in feedback.pdf)."""

from wenping_review.feedback.letter import (
    FeedbackCategory,
    FeedbackItem,
    FeedbackLetter,
    document_number_for,
    format_cn_date,
    letter_title,
    render_docx,
    render_text,
)

__all__ = [
    "FeedbackCategory",
    "FeedbackItem",
    "FeedbackLetter",
    "document_number_for",
    "format_cn_date",
    "letter_title",
    "render_docx",
    "render_text",
]
