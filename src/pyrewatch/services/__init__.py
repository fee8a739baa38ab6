"""Use cases: a policy check first, then the rules, then store calls. Transport-agnostic."""
