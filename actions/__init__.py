"""Rasa action server package: thin actions that call procedure_kb and hotline.

`rasa run actions --actions actions` imports every module of this package. Actions read
slots and the citizen's words, call the library, and format the reply; no business logic.
"""
