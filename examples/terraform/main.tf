# Example estate used by `tfdrift-gitops detect` with no arguments (see README).
terraform {
  required_version = ">= 1.7"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

# Public web tier: HTTPS from anywhere, SSH only from the office VPN range.
resource "aws_security_group" "web" {
  name        = "web"
  description = "Web tier"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "SSH from VPN"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Team = "platform"
  }
}

module "storage" {
  source      = "./modules/storage"
  bucket_name = "acme-logs-prod"
}

resource "aws_iam_role" "app" {
  name = "acme-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "app_logs" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_db_instance" "main" {
  identifier                  = "acme-prod-db"
  engine                      = "postgres"
  engine_version              = "16.4"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  username                    = "acme"
  manage_master_user_password = true
  deletion_protection         = true
  backup_retention_period     = 7
  multi_az                    = true
  publicly_accessible         = false
  skip_final_snapshot         = false
}

resource "aws_lambda_function" "api" {
  function_name = "acme-api"
  role          = aws_iam_role.app.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/api.zip"
  timeout       = 30
  memory_size   = 256

  environment {
    variables = {
      LOG_LEVEL = "info"
    }
  }
}
