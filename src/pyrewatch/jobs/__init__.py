"""Background jobs whose lifecycle the application's lifespan owns."""
