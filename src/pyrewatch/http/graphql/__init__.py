"""GraphQL at /graphql (Strawberry), with Phoenix's type and field names."""
