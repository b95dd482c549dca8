"""Third-party assessment agencies (第三方稳评机构): credit codes, grading and eligibility."""
