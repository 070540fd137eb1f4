"""The public portal: the register, the points of sale, the figures, open data."""
