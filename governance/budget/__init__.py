"""Households, contribution scales and the fund's ledger."""
