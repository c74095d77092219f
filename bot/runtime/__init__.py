"""The composition root: settings in, a wired Gridline out, and `gridline serve`'s loop."""
