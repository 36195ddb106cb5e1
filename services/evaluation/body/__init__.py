"""Evaluation bodies (third-party and employer) and their status (§二.(三).12–13)."""
