"""tfdrift-gitops: Terraform drift caught from CloudTrail, turned into GitOps work."""

__version__ = "0.1.0"
