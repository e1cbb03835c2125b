"""Users and roles: Django groups with permissions, the API permission class, login and tokens."""
