"""Files: weights and session formats, atomic writes, and the ONNX and Python exports."""
