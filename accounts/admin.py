"""Users, groups and tokens are administered through Django's own admin classes."""
