"""Rasa side of the assistant: domain, channels, custom NLU components, process runner."""
