from pyrewatch.auth.requirements import SECRET_REQUIREMENTS, violation
from pyrewatch.auth.secrets import generate_secret


def test_generated_secrets_pass_the_rules_and_differ() -> None:
    values = {generate_secret() for _ in range(50)}
    assert len(values) == 50
    assert all(violation(v, "s", SECRET_REQUIREMENTS) is None and len(v) == 64 for v in values)
