"""Data: the generated data sets, the input feature transforms and CSV files."""
