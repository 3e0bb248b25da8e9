"""An organisation's PACT OAuth2 clients and the access tokens issued to them."""
