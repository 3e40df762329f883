"""Co-évaluation: the voices of a territory, their agreements and gaps, the consolidation."""
