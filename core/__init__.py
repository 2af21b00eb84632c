"""The domain both stacks share: the User aggregate, its events, commands and errors.

Nothing in this package performs I/O or depends on whether it runs under threads or an
event loop, so the sync and async stacks run exactly the same decisions.
"""
