"""advisor: where should this workload run on AWS (Lambda, ECS on Fargate, ECS on EC2 or EKS)?"""

__version__ = "0.1.0"

RUNTIMES: tuple[str, ...] = ("lambda", "ecs_fargate", "ecs_ec2", "eks")
"""Runtime ids, in the fixed order used for arrays and columns everywhere."""

AXES: tuple[str, ...] = ("simplicity", "flexibility", "agility", "hybridity")
"""The four axes teams optimise for (DESIGN.md)."""

RUNTIME_LABELS: dict[str, str] = {
    "lambda": "AWS Lambda",
    "ecs_fargate": "ECS on Fargate",
    "ecs_ec2": "ECS on EC2",
    "eks": "Amazon EKS",
}
