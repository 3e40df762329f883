"""HTTP controllers: thin translations from requests to calls of `maturity` and `knowledge`."""
