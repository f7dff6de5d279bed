"""Pure data and pure functions about the platform.

Every fact here carries its source. Nothing in this package imports pulumi or any other
project package, so settings, components, policies and the router can all share it.
"""
