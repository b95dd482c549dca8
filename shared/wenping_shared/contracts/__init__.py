"""Contracts shared by the Wenping services: binding vocabularies and the structured report."""

from . import vocab
from .report import Report

__all__ = ["Report", "vocab"]
