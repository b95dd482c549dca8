"""Clearances (稳评备案证明): signed, offline-verifiable proof that a decision was assessed and approved."""
