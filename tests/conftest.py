pytest_plugins = ("mapgen.testing",)
