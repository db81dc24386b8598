"""Analysis of results: figures and the round-by-round story of a trial."""
