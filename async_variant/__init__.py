"""The async stack: coroutine ports, adapters, publisher and service over the shared core."""
