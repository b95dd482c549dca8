"""Contracts shared by the Wenping services: binding vocabularies, the structured report, and the
messages the services send each other (``messages``)."""

from . import messages, vocab
from .report import Report

__all__ = ["Report", "messages", "vocab"]
