"""Helpers for the EC2 key pair tutorial."""
