"""Inspections (督查): on-site checks of projects, their findings and rectification, and circulars (通报)."""
