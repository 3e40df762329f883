"""Reference territories: the directory of communes and EPCI and its source data."""
