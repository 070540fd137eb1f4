from governance.public import figures  # noqa: F401  (registers /chiffres on the public blueprint)
