"""The network graph: neurons, edges, bias squares and their colours."""
