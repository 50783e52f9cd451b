"""The knowledge base: runtime limits, prices and scoring rules as data (YAML), shipped as package data."""
