"""Read-only figures that other parts of the programme compose (through the gateway)."""
