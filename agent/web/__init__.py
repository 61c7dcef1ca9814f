"""The web app over a workspace (`dossier serve`): the book, an account's brief with its
sources, the last scan's digest. `agent.web.app.create_app` builds it."""
