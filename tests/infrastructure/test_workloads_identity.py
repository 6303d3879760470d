"""Workload identity: each service account gets a role that reaches its own data and nothing else (Pod Identity for
the services; IRSA for the Argo Rollouts controller, whose AWS SDK cannot read Pod Identity credentials)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from stacks.config import EnvironmentConfig
from tests.infrastructure.conftest import resources
from tests.infrastructure.iam import allowed, inline_policies, trust

REPO_ROOT = Path(__file__).resolve().parents[2]

DYNAMODB_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}


def associations(template: Template) -> dict[tuple[str, str], dict]:
    return {
        (a["Properties"]["Namespace"], a["Properties"]["ServiceAccount"]): a["Properties"]
        for a in resources(template, "AWS::EKS::PodIdentityAssociation").values()
    }


def tables_touched(grants: dict[str, set[str]]) -> dict[str, set[str]]:
    """Table logical ID -> the DynamoDB actions allowed on it (or its indexes)."""
    touched: dict[str, set[str]] = {}
    for action, where in grants.items():
        if not action.startswith("dynamodb:"):
            continue
        for resource in where:
            for table in ("CustomersTable", "OrdersTable", "CatalogTable", "ThrottleTable"):
                if f'"{table}"' in resource:
                    touched.setdefault(table, set()).add(action)
    return touched


@pytest.mark.parametrize(
    ("namespace", "service_account", "role"),
    [("tlj", "login", "login"), ("tlj", "order", "order")],
)
def test_given_a_service_account_then_it_is_associated_with_a_role_only_its_pods_can_assume(
    env_template: tuple[EnvironmentConfig, Template], namespace: str, service_account: str, role: str
) -> None:
    config, template = env_template
    association = associations(template)[(namespace, service_account)]
    assert association["ClusterName"] == {"Ref": "EksCluster"}
    role_name = config.role_name(role)
    assert role_name in json.dumps(resources(template, "AWS::IAM::Role")[association["RoleArn"]["Fn::GetAtt"][0]])
    (statement,) = trust(template, role_name)
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(statement["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    assert statement["Condition"]["StringEquals"] == {
        "aws:RequestTag/eks-cluster-arn": {"Fn::GetAtt": ["EksCluster", "Arn"]},
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": service_account,
    }
    assert inline_policies(template, role_name) == []


def test_given_argo_rollouts_then_its_service_account_has_no_pod_identity_association(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    # An association would make EKS inject the Pod Identity variables, which v1.8.3's SDK rejects, instead of
    # the IRSA ones it reads (aws-samples/appmod-blueprints#831); its IRSA trust is in test_rollouts_identity.py.
    _, template = env_template
    assert ("argo-rollouts", "argo-rollouts") not in associations(template)
    assert set(associations(template)) >= {("tlj", "login"), ("tlj", "order")}


def test_given_the_login_role_then_it_owns_customers_and_throttle_reads_its_key_and_cannot_touch_orders_or_catalog(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    grants = allowed(template, config.role_name("login"))
    touched = tables_touched(grants)
    assert set(touched) == {"CustomersTable", "ThrottleTable"}
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} <= touched["CustomersTable"]
    assert {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= touched["ThrottleTable"]
    assert grants["secretsmanager:GetSecretValue"] == {
        json.dumps({"Ref": "LoginSigningKeySecret"}),
        json.dumps({"Ref": "LoginEmailHashKeySecret"}),
    }
    assert not any(action.startswith(("secretsmanager:Put", "secretsmanager:Update")) for action in grants)


def test_given_the_order_role_then_it_owns_orders_reads_the_catalog_and_cannot_touch_customers_or_secrets(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    grants = allowed(template, config.role_name("order"))
    touched = tables_touched(grants)
    assert set(touched) == {"OrdersTable", "CatalogTable"}
    assert touched["OrdersTable"] >= DYNAMODB_WRITES
    assert {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Scan"} <= touched["CatalogTable"]
    assert not touched["CatalogTable"] & DYNAMODB_WRITES, "order may read the menu, never change it"
    assert not any(action.startswith("secretsmanager:") for action in grants)


def test_given_the_workload_roles_then_nothing_is_granted_on_every_resource(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    for role in ("login", "order", "rollouts-analysis"):
        for action, where in allowed(template, config.role_name(role)).items():
            assert '"*"' not in where, (role, action)


def test_given_the_signing_key_secret_then_it_is_named_for_the_login_gateway_encrypted_and_starts_empty(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    secret = resources(template, "AWS::SecretsManager::Secret")["LoginSigningKeySecret"]
    props = secret["Properties"]
    assert props["Name"] == f"tlj-{config.name}/login/signing-key"
    assert props["KmsKeyId"]["Fn::GetAtt"][0].startswith("EncryptionDataKey")
    # Secrets Manager cannot make an Ed25519 key: no random password placeholder, the operator puts the PEM in.
    assert "GenerateSecretString" not in props
    assert "SecretString" not in props
    assert secret["DeletionPolicy"] == ("RetainExceptOnCreate" if config.data.retain else "Delete")
    assert template.to_json()["Outputs"]["SigningKeySecretName"]["Value"] == f"tlj-{config.name}/login/signing-key"


def test_given_the_data_key_policy_then_login_may_decrypt_only_through_secrets_manager(prod: Template) -> None:
    (key,) = [k for i, k in resources(prod, "AWS::KMS::Key").items() if i.startswith("EncryptionDataKey")]
    for_login = [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if "WorkloadIdentityLogin" in json.dumps(statement["Principal"])
    ]
    assert for_login, "the secret's grant names the login role in the key policy"
    via_secrets_manager = {"StringEquals": {"kms:ViaService": "secretsmanager.ap-northeast-2.amazonaws.com"}}
    assert all(statement["Condition"] == via_secrets_manager for statement in for_login)


def test_given_the_email_hash_key_then_secrets_manager_generates_one_per_environment_for_every_login_pod(
    env_template: tuple[EnvironmentConfig, Template],
) -> None:
    config, template = env_template
    secret = resources(template, "AWS::SecretsManager::Secret")["LoginEmailHashKeySecret"]
    props = secret["Properties"]
    assert props["Name"] == f"tlj-{config.name}/login/email-hash-key"
    assert props["GenerateSecretString"] == {"ExcludePunctuation": True, "PasswordLength": 64}
    assert "Fn::GetAtt" in props["KmsKeyId"]
    # The pods name it through the overlay's settings (k8s/components/settings copies it into the Deployment).
    settings = (REPO_ROOT / "k8s" / "overlays" / config.name / "settings.yaml").read_text(encoding="utf-8")
    assert f"emailHashKeySecretId: tlj-{config.name}/login/email-hash-key" in settings
