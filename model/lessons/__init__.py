"""Lessons: the chain rule of one weight, phase stepping, gradient health, the training timeline,
the gradient check, the loss landscape (and its lesson) and runs side by side."""
