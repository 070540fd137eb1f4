"""Monthly meetings: agendas, convocations, check-in, quorum, the live room, minutes."""
