"""The login gateway's JWT signing key: an Ed25519 private key (PEM) in Secrets Manager, encrypted with our CMK.

Secrets Manager cannot generate an Ed25519 key (its generator makes random passwords), so the secret is
created empty and the operator puts the PEM in once per environment (README, "The login signing key"):

    openssl genpkey -algorithm ed25519 \\
      | aws secretsmanager put-secret-value --secret-id tlj-dev/login/signing-key --secret-string file:///dev/stdin

Until then the login gateway cannot start, which is better than signing tokens with a key nobody chose.
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.constructs.removal import removal_policy


class SigningKey(Construct):
    """Secrets ``<prefix>/login/signing-key`` and ``<prefix>/login/email-hash-key``; read by the login service
    account only (granted by the stack)."""

    def __init__(self, scope: Construct, id_: str, *, prefix: str, key: kms.IKey, retain: bool) -> None:
        super().__init__(scope, id_)
        self.secret_name = f"{prefix}/login/signing-key"  # SIGNING_KEY_SECRET_ID of the login gateway
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            secret_name=self.secret_name,
            description="Ed25519 private key (PEM) that signs the login gateway's JWTs; set by the operator",
            encryption_key=key,
            removal_policy=removal_policy(retain),
        )
        cfn_secret = self.secret.node.default_child
        assert isinstance(cfn_secret, secretsmanager.CfnSecret)
        # CDK would generate a random password here; with neither a value nor a generator the secret starts empty.
        cfn_secret.add_property_deletion_override("GenerateSecretString")
        cfn_secret.override_logical_id("LoginSigningKeySecret")

        # The key of the keyed email digests in failed-login logs (EMAIL_HASH_KEY_SECRET_ID): one per environment, so
        # that every login pod writes the same digest for the same account. Secrets Manager generates it.
        self.email_hash_secret_name = f"{prefix}/login/email-hash-key"
        self.email_hash_secret = secretsmanager.Secret(
            self,
            "EmailHashKey",
            secret_name=self.email_hash_secret_name,
            description="Key of the keyed email digests in the login gateway's failed-login logs (not a credential)",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=removal_policy(retain),
        )
        cfn_email_hash = self.email_hash_secret.node.default_child
        assert isinstance(cfn_email_hash, secretsmanager.CfnSecret)
        cfn_email_hash.override_logical_id("LoginEmailHashKeySecret")
