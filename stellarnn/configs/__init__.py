"""Default configuration files (TOML); also reachable as ./configs in a checkout."""
