"""The knowledge base: AWS facts with their sources (`base`), and the rule condition language
(`conditions`) in which feasibility and scoring rules are written."""
