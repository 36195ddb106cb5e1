"""Plumbing shared by the gateway and the services: errors, settings, databases, internal auth.

Business rules never live here, and nothing here imports a service.
"""
