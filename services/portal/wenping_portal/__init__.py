"""The web portal: server-rendered pages for filers, agencies, reviewers, supervisors and admins,
talking to intake, review and registry only over their public HTTP APIs with the user's token."""
