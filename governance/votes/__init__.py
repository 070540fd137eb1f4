"""Consent decisions: proposals, rounds, positions, objections, the decision register."""
