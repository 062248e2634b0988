"""Writes to complaints: one function per verb, in the modules of this package."""
