"""Assessments: campaigns, answers, drafts and submission, revisions, scores and results."""
