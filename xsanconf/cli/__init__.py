"""Command-line front ends; each imports only what its command needs."""
