"""Interview definitions as YAML (data only), shipped as package data."""
