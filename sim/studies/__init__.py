"""Studies built from many runs: parameter sweeps with sensitivity analysis, and the
validation of the engine against the closed-form models of crisis bargaining."""
