"""The multimodal classifier in the loop: model versions, predictions, training runs, active learning.
`classifier.ml` is plain PyTorch with no Django."""
