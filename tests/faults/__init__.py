"""Fault, bad-input and security tests: crashes, concurrent instances, broken storage,
migrations, display and export injection, property-based tests."""
