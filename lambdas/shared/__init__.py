"""What more than one Lambda uses: powertools singletons, settings loading, DynamoDB helpers."""
