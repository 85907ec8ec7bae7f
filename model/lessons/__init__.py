"""Lessons: the chain rule of one weight, phase stepping, gradient health, the training timeline and the gradient check."""
