"""app.py: deploy-time context reaches the environments (the prefixed key wins) and a refused value stops synth with
one clear line instead of a traceback."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest

import app as cdk_app


def test_given_a_prefixed_key_then_it_beats_the_plain_one_for_that_environment_only() -> None:
    context = {"github_owner": "acme-bakery", "prod:connect_instance_alias": "acme-bakery-calls", "account": "1"}
    dev, prod = cdk_app.configured(cdk.App(context=context))
    assert dev.delivery.github_owner == prod.delivery.github_owner == "acme-bakery"
    assert prod.call_center.instance_alias == "acme-bakery-calls"
    assert dev.call_center.instance_alias == "tlj-dev-bakery-calls"


def test_given_no_context_then_no_github_owner_is_configured() -> None:
    dev, prod = cdk_app.configured(cdk.App())
    assert dev.delivery.repo_url is None
    assert prod.delivery.release_subject is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("prod:connect_instance_alias", "d-bakery", "ProdStack .*not starting with 'd-'"),
        ("github_owner", "acme/other", "DevStack .*one exact name"),
        ("dev:public_access_cidrs", "0.0.0.0/0", "DevStack .*must not be open"),
        ("prod:connect_phone_number_arn", "+82212345678", "ProdStack .*phone-number ARN"),
    ],
)
def test_given_a_value_the_config_refuses_then_synth_stops_with_one_line(key: str, value: str, message: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        cdk_app.configured(cdk.App(context={key: value}))
    assert str(stopped.value).startswith("error: context for ")
    assert "\n" not in str(stopped.value)
    assert re.search(message, str(stopped.value))
