"""Reports composed from several modules: they read, never write."""
