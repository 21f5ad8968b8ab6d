"""Test helpers shared by test modules: local servers standing in for remote services."""
