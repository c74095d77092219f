"""The `gridline` command: thin admin commands that parse arguments, call the domain and
print (every sentence from `handlers.texts`)."""
