# The safer way: import the public half of a key made on your machine (ssh-keygen -t ed25519).
# The private key never leaves it, and the state holds only the public key.

resource "aws_key_pair" "laptop" {
  key_name   = "laptop-key"
  public_key = file("~/.ssh/id_ed25519.pub")
}
