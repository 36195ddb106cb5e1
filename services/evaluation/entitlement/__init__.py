"""Evaluation-subsidy entitlements: what a passed evaluation lets the payment process claim."""
