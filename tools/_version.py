"""The package version, kept here so sending it in User-Agent costs no metadata lookup."""

__version__ = "0.1.0"
