"""What more than one Lambda uses: Powertools singletons and the X-Ray provider, settings, DynamoDB helpers, the
time budget."""
