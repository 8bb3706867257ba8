"""Trainable systems (one module per system), their registry and the store for trained artifacts."""
