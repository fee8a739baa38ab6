"""Pure authentication and authorization logic: no database, no HTTP."""
