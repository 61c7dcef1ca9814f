"""LLM mode: a chat model plans the research and writes the brief; every claim is still
checked against the stored sources before it reaches the CSM."""
