"""The plots: the output view (decision boundary), the loss plot, and their colours and style."""
