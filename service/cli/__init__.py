"""The ``territoires`` command and each of its subcommands."""
