"""The network's barometer: the analysts' dashboard, the yearly national barometer (prepared,
reviewed by the members, published) and its open data (issue 18)."""
