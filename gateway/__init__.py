"""The only public entry: authentication, authorisation and the five-order flow."""
