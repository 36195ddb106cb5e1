"""The evaluation catalogue: trades in scope, pass rules, subsidy standards, by version."""
