"""HTTP composition root: the ASGI app, its middleware and every transport's routes."""
