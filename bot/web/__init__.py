"""The HTTP side of `gridline serve`."""
