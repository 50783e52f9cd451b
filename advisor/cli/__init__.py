"""The command-line interface: a thin typer app over `advisor.api` (one module per command).

typer, click, rich, questionary and prompt_toolkit are imported only in this package.
"""
