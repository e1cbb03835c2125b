"""Shared plumbing: queues, API conventions, the page shell, demo data."""
