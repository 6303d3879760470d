"""The call center's Lambda and tooling: Amazon Connect looks the caller up by phone number.

``handler`` -> ``logic`` (rules, speech; no AWS) -> ``repository`` (Orders and Customers by phone, recommendations).
``simulate`` plays the deployed contact flow against the real handler; ``validate_flow`` checks flows statically.
"""
