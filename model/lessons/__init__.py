"""Lessons: the chain rule of one weight, phase stepping (and its worker-side registry), gradient
health, the training timeline and its recorder, the gradient check, which reference lines each
phase computes ("Show the code"), the loss landscape (and its lesson) and runs side by side."""
