"""The backprop views: chain rule, gradient check, health, lesson mode, one data point, the training history and worked examples."""
