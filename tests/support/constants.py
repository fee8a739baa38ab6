"""Fixed test credentials. They satisfy the secret rules and differ from each other."""

SECRET = "test0secret0for0pyrewatch0sessions0abcdefgh"
ADMIN_SECRET = "test1admin1secret1for1pyrewatch1bootstrap1xyz"
OTHER_SECRET = "test2rotated2secret2for2pyrewatch2sessions2qq"
AUTH_ENV = {
    "PHOENIX_ENABLE_AUTH": "true",
    "PHOENIX_SECRET": SECRET,
    "PHOENIX_ADMIN_SECRET": ADMIN_SECRET,
}
