"""sdss: the OBAFGKM classifier for SDSS stars."""
