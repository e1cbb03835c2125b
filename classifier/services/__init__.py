"""Writes of the classifier app: training runs, model versions, predictions."""
