"""Checking a scorecard: the rules and their findings, the status rule, one district assessed."""
