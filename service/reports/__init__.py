"""Reports on an assessment for the people who decide: the élus' synthesis (page, PDF, JSON),
read-only share links to it, and spreadsheet exports of the results."""
