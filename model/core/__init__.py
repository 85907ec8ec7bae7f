"""The engine's core: the network, its activations and losses, optimizers, initialisers and the trainer."""
