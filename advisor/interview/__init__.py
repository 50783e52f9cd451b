"""The interview: questionnaires as data (schema, parsing, lint), answers, and the session that asks
them. No terminal code lives here; the CLI supplies the prompter."""
