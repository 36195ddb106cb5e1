"""Developer and operator tooling: the `make run` launcher."""
