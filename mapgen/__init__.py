"""mapgen: turn a deal brief into a mutual action plan."""

__version__ = "0.1.0"
