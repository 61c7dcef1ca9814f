"""`python -m agent.local_model`: see agent/local_model/cli.py."""

from agent.local_model.cli import app

app()
