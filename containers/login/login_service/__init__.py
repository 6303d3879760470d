"""The login gateway: signup, login, JWT issuing (EdDSA) and the public proxy to the order and recommendation APIs."""
