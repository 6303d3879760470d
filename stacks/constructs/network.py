"""One VPC per environment: public, private and isolated subnets, flow logs, and endpoints to AWS services."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.config import NetworkConfig
from stacks.constructs.aws_api_call import AwsApiCalls
from stacks.constructs.logs import encrypted_log_group


class Network(Construct):
    """The VPC. Workloads run in the private subnets; the isolated subnets hold the interface endpoints."""

    def __init__(
        self, scope: Construct, id_: str, *, config: NetworkConfig, logs_key: kms.IKey, retain_logs: bool
    ) -> None:
        super().__init__(scope, id_)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(config.cidr),
            availability_zones=list(config.availability_zones),
            nat_gateways=config.nat_gateways,
            restrict_default_security_group=True,
            subnet_configuration=[
                # Auto Mode's load balancer controller finds subnets by the kubernetes.io/role tags below.
                # Nothing in the public subnets needs an automatic public IP: NAT gateways use Elastic IPs and the
                # ALBs get their own addresses.
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24, map_public_ip_on_launch=False
                ),
                # Pods get VPC addresses, so the private subnets are the large ones.
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=19),
                ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
        )
        for subnet in self.vpc.public_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/elb", "1")
        for subnet in self.vpc.private_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/internal-elb", "1")

        self.flow_log_group = encrypted_log_group(
            self, "FlowLogs", key=logs_key, retention_days=config.flow_log_retention_days, retain=retain_logs
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group, self._flow_log_role()),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        # Gateway endpoints are free and keep DynamoDB and S3 (ECR layers) traffic off the NAT gateways.
        self.vpc.add_gateway_endpoint("DynamoDbEndpoint", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        self.vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)

        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="HTTPS from inside the VPC to the interface endpoints",
            allow_all_outbound=False,
        )
        self.endpoint_security_group.add_ingress_rule(
            ec2.Peer.ipv4(config.cidr), ec2.Port.tcp(443), "HTTPS from the VPC to AWS service endpoints"
        )
        # Every interface endpoint of the stack (Grafana's too) is placed here: the isolated subnets of the configured
        # endpoint zones (NetworkConfig.endpoint_zones; one ENI, billed per hour, per zone and endpoint).
        self.endpoint_subnets = ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, availability_zones=list(config.endpoint_availability_zones)
        )
        self.interface_endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
        for service_name in config.interface_endpoints:
            service = getattr(ec2.InterfaceVpcEndpointAwsService, service_name)
            self.interface_endpoints[service_name] = self.vpc.add_interface_endpoint(
                f"{service_name.title().replace('_', '')}Endpoint",
                service=service,
                subnets=self.endpoint_subnets,
                security_groups=[self.endpoint_security_group],
                private_dns_enabled=True,
                open=False,  # the security group above already admits exactly the VPC on 443
            )
        self.dynamodb_prefix_list_id = self._dynamodb_prefix_list(config, logs_key, retain_logs)

    @property
    def api_endpoint(self) -> ec2.InterfaceVpcEndpoint:
        """The ``execute-api`` endpoint that private REST APIs are reached through."""
        try:
            return self.interface_endpoints["APIGATEWAY"]
        except KeyError:
            raise ValueError("network.interface_endpoints must include APIGATEWAY for the private REST API") from None

    def _dynamodb_prefix_list(self, config: NetworkConfig, logs_key: kms.IKey, retain_logs: bool) -> str:
        """The id of the AWS-managed prefix list of DynamoDB in this region, for security-group egress rules.

        Traffic through a gateway endpoint still goes to DynamoDB's public addresses, which this list holds ("Control
        access using security groups" in the VPC gateway endpoints guide). Its id differs per region and CloudFormation
        exposes no attribute for it, so it is read at deploy time (DescribeManagedPrefixLists), never at synth.
        """
        stack = cdk.Stack.of(self)
        calls = AwsApiCalls.ensure(
            self, vpc=self.vpc, logs_key=logs_key, log_retention_days=config.flow_log_retention_days, retain=retain_logs
        )
        describe = cr.AwsSdkCall(
            service="EC2",
            action="DescribeManagedPrefixLists",
            parameters={
                "Filters": [{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{stack.region}.dynamodb"]}]
            },
            physical_resource_id=cr.PhysicalResourceId.from_response("PrefixLists.0.PrefixListId"),
            output_paths=["PrefixLists.0.PrefixListId"],
        )
        lookup = calls.call(
            self,
            "DynamoDbPrefixList",
            resource_type="Custom::ManagedPrefixList",
            on_create=describe,
            on_update=describe,  # an update without a call would return no data for the GetAtt below
            statements=[iam.PolicyStatement(actions=["ec2:DescribeManagedPrefixLists"], resources=["*"])],
        )
        return lookup.get_response_field("PrefixLists.0.PrefixListId")

    def _flow_log_role(self) -> iam.IRole:
        """The flow-log delivery role, with a customer-managed policy scoped to its log group."""
        role = iam.Role(
            self,
            "FlowLogRole",
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
            ),
            description="Delivers VPC flow logs to their CloudWatch log group",
        )
        role.add_managed_policy(
            iam.ManagedPolicy(
                self,
                "FlowLogPolicy",
                statements=[
                    iam.PolicyStatement(
                        actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        resources=[self.flow_log_group.log_group_arn],
                    )
                ],
            )
        )
        # The managed policy above is the whole grant: keep CDK from adding an inline policy beside it.
        return role.without_policy_updates()
