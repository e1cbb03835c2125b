"""Dashboards for ops staff: label counts, agreement, model quality, throughput, queues, cold start."""
