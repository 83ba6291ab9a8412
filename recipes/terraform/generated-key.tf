# A key pair whose private key Terraform makes: it lands in the state file, in clear text
# (terraform.tfstate, and wherever the state is kept: an S3 bucket, Terraform Cloud).

resource "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

resource "aws_key_pair" "deploy" {
  key_name   = "deploy-key"
  public_key = tls_private_key.deploy.public_key_openssh
}

output "private_key" {
  value     = tls_private_key.deploy.private_key_openssh
  sensitive = true # hidden from the plan's output; still whole in the state
}
