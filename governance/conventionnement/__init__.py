"""Approval of points of sale: proposals, visits, questionnaires, analysis grids."""
