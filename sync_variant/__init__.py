"""The sync stack: blocking ports, adapters, publisher and service over the shared core."""
