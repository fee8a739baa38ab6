"""The only code that builds SQL. Functions take a session; one module per aggregate."""
