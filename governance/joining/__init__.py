"""Joining the caisse: the public application, the welcome, enrolment; and each household's
own contribution page (/ma-cotisation)."""
