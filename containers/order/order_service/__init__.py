"""The order service: menu and orders over DynamoDB, behind JWTs issued by the login gateway."""
