"""Built-in plugins: registered from DEFAULT_PLUGINS through the same hooks as external ones."""
