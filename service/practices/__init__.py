"""Good-practice library (retours d'expérience): cards, their moderation and their place in
the knowledge base."""
